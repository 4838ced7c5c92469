using Microsoft.Extensions.Logging;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Forwarding.ForwardData;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>Remote write 2.0 against a real HTTP receiver on loopback.</summary>
public sealed class RemoteWriteSenderV2Tests
{
    [Fact]
    public async Task A_batch_decoded_on_the_receiver_equals_the_input()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("Protocol", "V2"), ("SendExemplars", "true"));
        var batch = Batch();

        var result = await host.Sender.SendAsync(batch, CancellationToken.None);

        Assert.Equal(SendOutcome.Sent, result.Outcome);
        Assert.Equal((4L, 0L, 3L), (result.SamplesWritten, result.HistogramsWritten, result.ExemplarsWritten));
        var request = Assert.Single(receiver.Requests);
        Assert.Null(request.DecodeError);
        Assert.NotNull(request.V2);
        Assert.StartsWith("application/x-protobuf", request.Header("Content-Type"));
        Assert.True(RemoteWriteDecoder.IsV2ContentType(request.Header("Content-Type")), request.Header("Content-Type"));
        Assert.Equal("snappy", request.Header("Content-Encoding"));
        Assert.Equal("2.0.0", request.Header("X-Prometheus-Remote-Write-Version"));
        Assert.StartsWith("OrleansExemplars/", request.Header("User-Agent"));
        Assert.Equal(Dump(batch), Dump(request.Series));
        // A symbol table: symbols[0] is "" and every string is there once.
        var symbols = request.V2!.Symbols.Select(s => s.ToStringUtf8()).ToList();
        Assert.Equal("", symbols[0]);
        Assert.Equal(symbols.Count, symbols.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(4, host.Counter("oe_remote_storage_samples_sent"));
        Assert.Equal(3, host.Counter("oe_remote_storage_exemplars_sent"));
    }

    [Fact]
    public async Task Exemplars_are_left_out_without_SendExemplars()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("Protocol", "V2"));
        var batch = Batch();

        Assert.True((await host.Sender.SendAsync(batch, CancellationToken.None)).IsSent);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(Dump(batch, exemplars: false), Dump(request.Series));
        Assert.All(request.V2!.Timeseries, ts => Assert.Empty(ts.Exemplars));
    }

    [Fact]
    public async Task A_2xx_without_written_headers_is_taken_as_415_and_dropped()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0,
            new ScriptedResponse(204, WrittenHeaders: false));
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("Protocol", "V2"), ("SendExemplars", "true"));
        var batch = Batch();

        var result = await host.Sender.SendAsync(batch, CancellationToken.None);

        Assert.Equal(SendOutcome.Dropped, result.Outcome);
        Assert.Equal(DropReason.Unsupported, result.Reason);
        Assert.Equal(1, result.Attempts);
        Assert.Contains("415", result.Error);
        Assert.Single(receiver.Requests);
        Assert.Equal(4, host.Counter("oe_remote_storage_samples_dropped", ("reason", "unsupported")));
        Assert.Equal(3, host.Counter("oe_remote_storage_exemplars_dropped", ("reason", "unsupported")));
        Assert.Equal(0, host.Counter("oe_remote_storage_samples_sent"));
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("415"));

        // The receiver learns 2.0: the next batch goes through.
        Assert.True((await host.Sender.SendAsync(batch, CancellationToken.None)).IsSent);
        Assert.Equal(4, host.Counter("oe_remote_storage_samples_sent"));
    }

    [Fact]
    public async Task Two_endpoints_get_their_own_senders_names_and_protocols()
    {
        await using var v1 = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var v2 = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var host = ForwardingHost.Create(new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = v1.Url.ToString(),
            ["RemoteWrite:Endpoints:1:Url"] = v2.Url.ToString(),
            ["RemoteWrite:Endpoints:1:Name"] = "victoria",
            ["RemoteWrite:Endpoints:1:Protocol"] = "V2",
        });

        Assert.Equal([$"127.0.0.1:{v1.Port}", "victoria"], host.Senders.Names);
        foreach (var sender in host.Senders) Assert.True((await sender.SendAsync(Batch(), CancellationToken.None)).IsSent);

        Assert.NotNull(Assert.Single(v1.Requests).V1);
        Assert.NotNull(Assert.Single(v2.Requests).V2);
        Assert.Equal(4, host.Metrics.Sum("oe_remote_storage_samples_sent", ("endpoint", "victoria")));
        Assert.Equal(4, host.Metrics.Sum("oe_remote_storage_samples_sent", ("endpoint", $"127.0.0.1:{v1.Port}")));
    }

    [Fact]
    public async Task The_pending_gauge_follows_AddPending()
    {
        await using var host = ForwardingHost.ForEndpoint(new Uri("http://127.0.0.1:9/api/v1/write"));
        var metrics = (RemoteWriteMetrics)host.Services.GetService(typeof(RemoteWriteMetrics))!;

        metrics.AddPending(ForwardingHost.Endpoint, 10);
        metrics.AddPending(ForwardingHost.Endpoint, -4);

        Assert.Equal(6, host.Counter("oe_remote_storage_samples_pending"));
        Assert.Equal(0.0, host.Metrics.Observe("oe_remote_storage_highest_sent_timestamp_seconds",
            ("endpoint", ForwardingHost.Endpoint)));
    }
}
