using System.Diagnostics;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// Sits below the resilience handler, so it sees every attempt: counts it (<c>oe_remote_storage_requests</c> by status)
/// and times it (<c>oe_remote_storage_sent_batch_duration</c>).
/// </summary>
internal sealed class RemoteWriteAttemptHandler(string endpoint, RemoteWriteMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RemoteWriteRequestState.Of(request);
        if (state is not null) state.Attempts++;
        var start = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            metrics.RecordAttempt(endpoint, (int)response.StatusCode, Stopwatch.GetElapsedTime(start));
            return response;
        }
        catch (OperationCanceledException) when (state?.CallerToken.IsCancellationRequested == true)
        {
            throw; // the caller gave up; not a failure of the endpoint
        }
        catch
        {
            metrics.RecordAttempt(endpoint, null, Stopwatch.GetElapsedTime(start));
            throw;
        }
    }
}
