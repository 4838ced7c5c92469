using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Forwarding.ForwardData;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// A forward queue whose send path fails for real (the encoder cannot encode a series) against a real remote-write
/// receiver on loopback: the series that can never be sent is dropped and counted, everything else still goes.
/// </summary>
public sealed class ForwardQueueFailureTests
{
    [Fact]
    public async Task A_series_the_encoder_cannot_encode_is_dropped_and_counted_and_the_rest_is_still_sent()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        // 2.0 re-reads a Kafka block into series to build its symbol table: bytes that are not a WriteRequest fail there.
        await using var host = ForwardingHost.ForEndpoint(receiver.Url, ("Protocol", "V2"));
        var sender = host.Sender;
        await using var queue = new ForwardQueue(async (batch, ct) => await sender.SendAsync(batch, ct),
            maxSamplesPerSend: 1000, deadline: TimeSpan.FromMilliseconds(1));
        var corrupt = new ForwardSeries(new WriteRequestBlock([0x0a, 0xff, 0xff, 0xff], Series: 1, Samples: 7, Exemplars: 0,
            HighestTimestampMs: 1_700_000_000_000));
        var good = Series(LabelSet.From(("__name__", "before"), ("job", "x")), [new Sample(1, 1_700_000_000_000)]);
        var alsoGood = Series(LabelSet.From(("__name__", "beside"), ("job", "x")), [new Sample(2, 1_700_000_000_000)]);
        var first = new PendingBatch("1", 3);
        queue.Enqueue([good, corrupt, alsoGood], first);
        await first.Completion.WaitAsync(ForwardData.Patience);

        var later = Series(LabelSet.From(("__name__", "later"), ("job", "x")), [new Sample(3, 1_700_000_001_000)]);
        var second = new PendingBatch("2", 1);
        queue.Enqueue([later], second);
        await second.Completion.WaitAsync(ForwardData.Patience);

        var arrived = receiver.Requests.SelectMany(r => r.Series).Select(s => s.Labels.MetricNameOrEmpty).ToList();
        Assert.Equal(["before", "beside", "later"], arrived);
        Assert.Equal(7, host.Counter("oe_remote_storage_samples_dropped", ("reason", "unencodable")));
        Assert.Equal(3, host.Counter("oe_remote_storage_samples_sent"));
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("cannot be encoded", StringComparison.Ordinal));
    }
}
