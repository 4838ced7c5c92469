using Microsoft.Extensions.Logging;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Forwarding.ForwardData;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// What is retried and what is dropped, against real HTTP receivers on loopback. Endpoints back off 20 to 200 ms
/// (<see cref="ForwardingHost.ForEndpoint"/>), so a wait of about a second can only come from <c>Retry-After</c>.
/// Timing checks are lower bounds only.
/// </summary>
public sealed class RemoteWriteRetryTests
{
    private static readonly TimeSpan AlmostOneSecond = TimeSpan.FromMilliseconds(950);

    [Fact]
    public async Task A_429_with_Retry_After_then_a_503_then_204_delivers_once_after_waiting_as_asked()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0,
            ScriptedResponse.RetryAfterSeconds(429, 1), new ScriptedResponse(503, Body: "overloaded"), ScriptedResponse.NoContent);
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("SendExemplars", "true"));
        var batch = Batch();

        var result = await host.Sender.SendAsync(batch, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, result.Outcome);
        Assert.Equal((3, 204), (result.Attempts, result.StatusCode));
        var requests = receiver.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(Dump(batch), Dump(r.Series)));
        Assert.True(requests[1].Since(requests[0]) >= AlmostOneSecond,
            $"the retry after Retry-After: 1 came {requests[1].Since(requests[0]).TotalMilliseconds} ms after the 429");
        Assert.True(requests[2].Since(requests[1]) > TimeSpan.Zero);

        Assert.Equal(4, host.Counter("oe_remote_storage_samples_sent"));
        Assert.Equal(3, host.Counter("oe_remote_storage_exemplars_sent"));
        Assert.Equal(2 * 4, host.Counter("oe_remote_storage_samples_retried"));
        Assert.Equal(2 * 3, host.Counter("oe_remote_storage_exemplars_retried"));
        Assert.Equal(1, host.Counter("oe_remote_storage_requests", ("status", "429")));
        Assert.Equal(1, host.Counter("oe_remote_storage_requests", ("status", "503")));
        Assert.Equal(1, host.Counter("oe_remote_storage_requests", ("status", "204")));
        Assert.Equal(3, host.Metrics.Count("oe_remote_storage_sent_batch_duration", ("endpoint", ForwardingHost.Endpoint)));
        Assert.Equal(0, host.Counter("oe_remote_storage_samples_dropped"));
        Assert.Equal(2, host.Logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("retrying")));
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_honoured()
    {
        // An HTTP date has whole seconds: 2 s ahead, rounded down, is at least 1 s ahead.
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0,
            new ScriptedResponse(503, RetryAfterDateIn: TimeSpan.FromSeconds(2)));
        await using var host = ForwardingHost.ForEndpoint(receiver.Url);

        var result = await host.Sender.SendAsync(Batch(), CancellationToken.None);

        Assert.True(result.IsSent);
        var requests = receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Since(requests[0]) >= TimeSpan.FromMilliseconds(900),
            $"the retry came {requests[1].Since(requests[0]).TotalMilliseconds} ms after a Retry-After date at least 1 s ahead");
    }

    [Fact]
    public void Retry_After_in_the_past_or_absent_leaves_the_delay_to_the_backoff()
    {
        using var past = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        past.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(-1));
        using var none = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        using var seconds = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Assert.Null(RemoteWriteResilience.RetryAfter(past, TimeProvider.System));
        Assert.Null(RemoteWriteResilience.RetryAfter(none, TimeProvider.System));
        Assert.Equal(TimeSpan.FromSeconds(7), RemoteWriteResilience.RetryAfter(seconds, TimeProvider.System));
    }

    [Fact]
    public async Task A_400_drops_the_batch_after_one_attempt_and_the_next_batch_goes_through()
    {
        var body = "bad series: " + new string('x', 5000);
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0, new ScriptedResponse(400, Body: body));
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("SendExemplars", "true"));

        var dropped = await host.Sender.SendAsync(Batch(), CancellationToken.None);

        Assert.Equal(SendOutcome.Dropped, dropped.Outcome);
        Assert.Equal((DropReason.Rejected, 400, 1), (dropped.Reason, dropped.StatusCode, dropped.Attempts));
        Assert.Contains("bad series: xxx", dropped.Error);
        Assert.True(dropped.Error!.Length < 1200, $"the error keeps {dropped.Error.Length} characters of the body");
        Assert.Single(receiver.Requests);
        Assert.Equal(4, host.Counter("oe_remote_storage_samples_dropped", ("reason", "rejected")));
        Assert.Equal(3, host.Counter("oe_remote_storage_exemplars_dropped", ("reason", "rejected")));
        Assert.Equal(0, host.Counter("oe_remote_storage_samples_retried"));
        Assert.Equal(1, host.Counter("oe_remote_storage_requests", ("status", "400")));
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("HTTP 400") &&
                                                e.Message.Contains("bad series: xxx") && e.Message.Length < 1500);

        var next = await host.Sender.SendAsync(Batch(), CancellationToken.None);

        Assert.True(next.IsSent);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(4, host.Counter("oe_remote_storage_samples_sent"));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(408)]
    [InlineData(413)]
    public async Task Other_4xx_are_not_retried(int status)
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0, new ScriptedResponse(status));
        await using var host = ForwardingHost.ForEndpoint(receiver.Url);

        var result = await host.Sender.SendAsync(Batch(), CancellationToken.None);

        Assert.Equal((SendOutcome.Dropped, DropReason.Rejected, status), (result.Outcome, result.Reason, result.StatusCode));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_until_a_receiver_listens_on_the_port()
    {
        var port = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}/api/v1/write");
        await using var host = ForwardingHost.ForEndpoint(url);

        var send = host.Sender.SendAsync(Batch(), CancellationToken.None);
        var deadline = DateTime.UtcNow + Patience;
        while (host.Counter("oe_remote_storage_requests", ("status", "error")) < 3)
        {
            Assert.False(send.IsCompleted, "the send finished while nothing listened");
            Assert.True(DateTime.UtcNow < deadline, "the sender did not retry the refused connection");
            await Task.Delay(20);
        }
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(port);
        var result = await send.WaitAsync(Patience);

        Assert.Equal(SendOutcome.Sent, result.Outcome);
        Assert.True(result.Attempts >= 4, $"{result.Attempts} attempts");
        Assert.Equal(Dump(Batch(), exemplars: false), Dump(Assert.Single(receiver.Requests).Series));
        Assert.True(host.Counter("oe_remote_storage_samples_retried") >= 3 * 4);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0,
            new ScriptedResponse(204, Delay: TimeSpan.FromSeconds(60)));
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("Timeout", "00:00:01"));

        var result = await host.Sender.SendAsync(Batch(), CancellationToken.None).WaitAsync(Patience);

        Assert.True(result.IsSent);
        Assert.True(result.Attempts >= 2, $"{result.Attempts} attempts");
        Assert.Equal(result.Attempts, receiver.Requests.Count);
        Assert.Equal(result.Attempts - 1, host.Counter("oe_remote_storage_requests", ("status", "error")));
        Assert.Equal(4 * (result.Attempts - 1), host.Counter("oe_remote_storage_samples_retried"));
    }

    [Fact]
    public async Task With_MaxRetries_a_failing_batch_is_dropped_after_the_last_retry()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        receiver.DefaultResponse = new ScriptedResponse(500, Body: "boom");
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("MaxRetries", "2"));

        var result = await host.Sender.SendAsync(Batch(), CancellationToken.None);

        Assert.Equal((SendOutcome.Dropped, DropReason.RetriesExhausted, 500, 3),
            (result.Outcome, result.Reason, result.StatusCode, result.Attempts));
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(4, host.Counter("oe_remote_storage_samples_dropped", ("reason", "retries_exhausted")));
        Assert.Equal(2 * 4, host.Counter("oe_remote_storage_samples_retried"));
    }

    [Fact]
    public async Task With_MaxRetries_a_batch_nobody_receives_is_dropped()
    {
        await using var host = ForwardingHost.ForEndpoint(new Uri($"http://127.0.0.1:{FreePort.Next()}/api/v1/write"),
            ("MaxRetries", "1"));

        var result = await host.Sender.SendAsync(Batch(), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal((SendOutcome.Dropped, DropReason.RetriesExhausted, null, 2),
            (result.Outcome, result.Reason, result.StatusCode, result.Attempts));
        Assert.Equal(2, host.Counter("oe_remote_storage_requests", ("status", "error")));
    }

    [Fact]
    public async Task Retrying_forever_stops_when_the_caller_cancels_and_nothing_is_counted_as_dropped()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        receiver.DefaultResponse = new ScriptedResponse(503);
        await using var host = ForwardingHost.ForEndpoint(receiver.Url);
        using var cancel = new CancellationTokenSource();

        var send = host.Sender.SendAsync(Batch(), cancel.Token);
        await receiver.WaitForRequestsAsync(3, Patience);
        Assert.False(send.IsCompleted);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(Patience));
        Assert.Equal(0, host.Counter("oe_remote_storage_samples_dropped"));
        Assert.Equal(0, host.Counter("oe_remote_storage_samples_sent"));
    }
}
