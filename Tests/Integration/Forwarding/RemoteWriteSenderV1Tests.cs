using System.Text;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Forwarding.ForwardData;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>Remote write 1.0 against a real HTTP receiver on loopback: body, headers, auth.</summary>
public sealed class RemoteWriteSenderV1Tests
{
    [Fact]
    public async Task A_batch_arrives_decodable_with_the_protocol_headers_and_without_exemplars_by_default()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url,
            ("Headers:X-Scope-OrgID", "tenant-1"), ("Headers:X-Extra", "a b c"));
        var batch = Batch();

        var result = await host.Sender.SendAsync(batch, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, result.Outcome);
        Assert.Equal((3, 4, 0, 1, 204), (result.Series, result.Samples, result.Exemplars, result.Attempts, result.StatusCode));
        var request = Assert.Single(receiver.Requests);
        Assert.Null(request.DecodeError);
        Assert.NotNull(request.V1);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/v1/write", request.Path);
        Assert.Equal("application/x-protobuf", request.Header("Content-Type"));
        Assert.Equal("snappy", request.Header("Content-Encoding"));
        Assert.Equal("0.1.0", request.Header("X-Prometheus-Remote-Write-Version"));
        Assert.Matches(@"^OrleansExemplars/\d+(\.\d+)+", request.Header("User-Agent"));
        Assert.Equal("tenant-1", request.Header("X-Scope-OrgID"));
        Assert.Equal("a b c", request.Header("X-Extra"));
        Assert.Null(request.Header("Authorization"));
        Assert.Equal(Dump(batch, exemplars: false), Dump(request.Series));
        Assert.All(request.V1!.Timeseries, ts => Assert.Empty(ts.Exemplars));

        Assert.Equal(4, host.Counter("oe_remote_storage_samples_sent"));
        Assert.Equal(0, host.Counter("oe_remote_storage_exemplars_sent"));
        Assert.Equal(1, host.Counter("oe_remote_storage_requests", ("status", "204")));
        Assert.Equal(1, host.Metrics.Count("oe_remote_storage_sent_batch_duration", ("endpoint", ForwardingHost.Endpoint)));
        Assert.Equal(1_700_000_015.0, host.Metrics.Observe("oe_remote_storage_highest_sent_timestamp_seconds",
            ("endpoint", ForwardingHost.Endpoint)));
    }

    [Fact]
    public async Task Exemplars_are_sent_with_SendExemplars()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("SendExemplars", "true"));
        var batch = Batch();

        var result = await host.Sender.SendAsync(batch, CancellationToken.None);

        Assert.True(result.IsSent);
        Assert.Equal(3, result.Exemplars);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(Dump(batch), Dump(request.Series));
        Assert.Equal(3, host.Counter("oe_remote_storage_exemplars_sent"));
    }

    [Fact]
    public async Task Basic_auth_from_the_configuration()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url,
            ("BasicAuthUsername", "alice"), ("BasicAuthPassword", "s3cret:ü"));

        Assert.True((await host.Sender.SendAsync(Batch(), CancellationToken.None)).IsSent);

        Assert.Equal(Basic("alice", "s3cret:ü"), Assert.Single(receiver.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Basic_auth_password_from_a_file_is_reread_for_each_request()
    {
        using var file = new TempFile("first-password\n");
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url,
            ("BasicAuthUsername", "bob"), ("BasicAuthPasswordFile", file.Path));

        Assert.True((await host.Sender.SendAsync(Batch(), CancellationToken.None)).IsSent);
        file.Write("second-password");
        Assert.True((await host.Sender.SendAsync(Batch(), CancellationToken.None)).IsSent);

        var requests = receiver.Requests;
        Assert.Equal(Basic("bob", "first-password"), requests[0].Header("Authorization"));
        Assert.Equal(Basic("bob", "second-password"), requests[1].Header("Authorization"));
    }

    [Fact]
    public async Task Bearer_token_from_the_configuration()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("BearerToken", "tok-123"));

        Assert.True((await host.Sender.SendAsync(Batch(), CancellationToken.None)).IsSent);

        Assert.Equal("Bearer tok-123", Assert.Single(receiver.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Bearer_token_from_a_file_is_reread_so_rotation_works()
    {
        using var file = new TempFile("token-one\n");
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("BearerTokenFile", file.Path));

        Assert.True((await host.Sender.SendAsync(Batch(), CancellationToken.None)).IsSent);
        file.Write("token-two");
        Assert.True((await host.Sender.SendAsync(Batch(), CancellationToken.None)).IsSent);

        var requests = receiver.Requests;
        Assert.Equal("Bearer token-one", requests[0].Header("Authorization"));
        Assert.Equal("Bearer token-two", requests[1].Header("Authorization"));
    }

    [Fact]
    public async Task A_rotated_token_is_used_by_the_retries_of_a_batch()
    {
        using var file = new TempFile("old-token");
        // Retry-After: 1 leaves the test a second to rotate the token between the two attempts.
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0, ScriptedResponse.RetryAfterSeconds(503, 1));
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("BearerTokenFile", file.Path));

        var send = host.Sender.SendAsync(Batch(), CancellationToken.None);
        await receiver.WaitForRequestsAsync(1, Patience);
        file.Write("new-token");
        var result = await send;

        Assert.True(result.IsSent);
        var requests = receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("Bearer old-token", requests[0].Header("Authorization"));
        Assert.Equal("Bearer new-token", requests[1].Header("Authorization"));
    }

    [Fact]
    public async Task An_empty_batch_sends_nothing()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url);

        var result = await host.Sender.SendAsync([ForwardData.Series(Batch()[0].Labels, [], Trace("x", 1, 1))], CancellationToken.None);

        Assert.True(result.IsSent);
        Assert.Equal(0, result.Attempts);
        Assert.Empty(receiver.Requests);
    }

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
}
