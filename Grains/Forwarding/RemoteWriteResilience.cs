using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OrleansExemplars.Prometheus.RemoteWrite;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// The Polly pipeline of one endpoint's HTTP client: retries (outer) around a per-attempt timeout (inner).
/// Retried: 5xx, 429, network errors and timed-out attempts, as Prometheus' remote write; nothing else (other 4xx are
/// the sender's to drop). The delay is <see cref="RemoteWriteEndpointOptions.MinBackoff"/>-based exponential backoff
/// with Polly's decorrelated jitter, capped at <see cref="RemoteWriteEndpointOptions.MaxBackoff"/>; a
/// <c>Retry-After</c> (seconds or HTTP date) in the future replaces it, even beyond the cap, as in Prometheus.
/// </summary>
public static class RemoteWriteResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, string endpointName,
        RemoteWriteEndpointOptions endpoint, RemoteWriteMetrics metrics, ILogger logger, TimeProvider time)
    {
        if (endpoint.MaxRetries is not 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "RemoteWriteRetry",
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.Context.CancellationToken)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = endpoint.MinBackoff,
                MaxDelay = endpoint.MaxBackoff,
                // int.MaxValue is Polly's "forever".
                MaxRetryAttempts = endpoint.MaxRetries ?? int.MaxValue,
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result, time)),
                OnRetry = args =>
                {
                    OnRetry(args, endpointName, metrics, logger);
                    return default;
                },
            });
        }
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "RemoteWriteAttemptTimeout", Timeout = endpoint.Timeout });
    }

    /// <summary>Whether an attempt's outcome is worth another attempt.</summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Result: { } response } => IsRetryableStatus((int)response.StatusCode),
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        // SocketsHttpHandler's ConnectTimeout.
        { Exception: OperationCanceledException { InnerException: TimeoutException } } => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    public static bool IsRetryableStatus(int status) => status is >= 500 and < 600 or 429;

    /// <summary>
    /// The wait a <c>Retry-After</c> header asks for, when it asks for one in the future; null otherwise (no header, or
    /// a date already past: the backoff applies, so a confused receiver cannot make us retry in a tight loop).
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        var delay = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => TimeSpan.Zero,
        };
        return delay > TimeSpan.Zero ? delay : null;
    }

    private static void OnRetry(OnRetryArguments<HttpResponseMessage> args, string endpointName, RemoteWriteMetrics metrics,
        ILogger logger)
    {
        var state = RemoteWriteRequestState.Of(args.Context.GetRequestMessage());
        if (state is not null) metrics.RecordRetried(endpointName, state.Samples, state.Exemplars);
        var failure = args.Outcome.Result is { } response
            ? $"HTTP {(int)response.StatusCode}"
            : args.Outcome.Exception?.Message ?? "unknown error";
        logger.LogWarning(
            "Remote write to {Endpoint} failed ({Failure}); retrying in {Delay} (retry {Retry}, {Samples} samples, {Exemplars} exemplars)",
            endpointName, failure, args.RetryDelay, args.AttemptNumber + 1, state?.Samples, state?.Exemplars);
    }
}
