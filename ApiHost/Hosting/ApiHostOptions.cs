using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.ApiHost.Hosting;

/// <summary>The read side of configuration section <c>Api</c> (the write side: <c>WriteApiOptions</c>, shared with the silo).</summary>
public sealed class ApiHostOptions
{
    public const string SectionName = "Api";

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
}
