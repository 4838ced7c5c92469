using OrleansExemplars.WriteApi.Ingest;
using OrleansExemplars.Hosting.Http;

namespace OrleansExemplars.WriteApi.Http;

/// <summary>
/// What the ingest endpoints (remote write, OTLP) answer when a request was not acknowledged: nothing of it counts, the
/// sender retries it (appends are idempotent, forward batches deduplicated by the request's fingerprint).
/// </summary>
public static class IngestAnswers
{
    private const string RetryAfterSeconds = "5";

    /// <summary>The grains failed the request: 503 <c>unavailable</c> (with Retry-After) or 500 <c>internal</c>.</summary>
    public static IResult Failed(HttpContext http, Exception e, Action<string> recordOutcome)
    {
        var (status, type, message) = PrometheusErrors.ForException(e, "writing the request's exemplars");
        recordOutcome(type == PrometheusErrors.Unavailable ? "unavailable" : "error");
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return PrometheusErrors.Result(status, type, message);
    }

    /// <summary>The 503 for an outcome the forwarders did not acknowledge; null for <see cref="IngestOutcome.Written"/>.</summary>
    public static IResult? NotForwarded(HttpContext http, IngestOutcome outcome, Action<string> recordOutcome)
    {
        var (recorded, message) = outcome switch
        {
            IngestOutcome.ForwardTimeout => ("forward_timeout",
                "the remote-write endpoints have not accepted the samples yet (they stay queued); retry later"),
            // 503, not 429: Prometheus before 3.0 drops a batch answered 429 unless retry_on_http_429 is set.
            IngestOutcome.QueueFull => ("queue_full",
                "the forward queue is full (RemoteWrite:MaxQueuedBytes): the remote-write endpoints are slow or down " +
                "and not every sample of the request could be queued; retry later"),
            _ => (null, null),
        };
        if (recorded is null) return null;
        recordOutcome(recorded);
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return PrometheusErrors.Result(StatusCodes.Status503ServiceUnavailable, PrometheusErrors.Unavailable, message!);
    }
}
