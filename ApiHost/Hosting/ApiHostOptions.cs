using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.ApiHost.Hosting;

/// <summary>Configuration section <c>Api</c>.</summary>
public sealed class ApiHostOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest remote-write body accepted, measured decompressed (413 above it).</summary>
    [Range(1024, int.MaxValue / 2, ErrorMessage = "Api:MaxRequestBytes must be between {1} and {2}.")]
    public int MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Largest request body of a read-side endpoint (a query's form or JSON body; 413 above it).</summary>
    [Range(1024, int.MaxValue / 2, ErrorMessage = "Api:MaxReadRequestBytes must be between {1} and {2}.")]
    public int MaxReadRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>How many metric grains one exemplar query asks at once.</summary>
    [Range(1, 4096, ErrorMessage = "Api:QueryConcurrency must be between {1} and {2}.")]
    public int QueryConcurrency { get; set; } = 64;

    /// <summary>
    /// Longest an exemplar query may take, fan-out to every metric grain and shard included; past it the answer is a
    /// Prometheus <c>timeout</c> error, never what the faster grains returned.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ErrorMessage = "Api:QueryTimeout must be between {1} and {2}.")]
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long <c>/api/v1/write</c> waits for the TSDBs to accept a request's samples before answering 503 (the sender
    /// retries; the samples already queued are still sent).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Api:ForwardTimeout must be between {1} and {2}.")]
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
