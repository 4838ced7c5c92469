using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.WriteApi;

/// <summary>
/// The write side of configuration section <c>Api</c>: the same keys for both hosts that serve <c>/api/v1/write</c> and
/// <c>/api/v1/otlp/v1/metrics</c> (the API host always, a silo unless <see cref="ServeOnSilo"/> is off).
/// </summary>
public sealed class WriteApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest remote-write body accepted, measured decompressed (413 above it).</summary>
    [Range(1024, int.MaxValue / 2, ErrorMessage = "Api:MaxRequestBytes must be between {1} and {2}.")]
    public int MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// How long <c>/api/v1/write</c> waits for the TSDBs to accept a request's samples before answering 503 (the sender
    /// retries; the samples already queued are still sent).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Api:ForwardTimeout must be between {1} and {2}.")]
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a silo serves the write endpoints on its own <c>Urls</c> too, so that a sender's exemplars reach the
    /// grains without a hop through the API host (read by silos only; the API host always serves them).
    /// </summary>
    public bool ServeOnSilo { get; set; } = true;
}
