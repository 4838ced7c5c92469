using System.Net;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Forwarding.ForwardTestData;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>Kafka or HTTP → the system → real TSDBs from Debian, read back through their own APIs.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ForwardingEndToEndTests
{
    [Fact]
    public async Task Kafka_samples_reach_VictoriaMetrics_exactly()
    {
        using var kafka = new KafkaMockCluster();
        await using var vm = await VictoriaMetricsServer.StartAsync();
        const string topic = "fwd-vm";
        await using var system = await ExemplarSystem.StartAsync(silos: 2, settings: Settings(kafka, topic, "fwd-vm", vm.WriteUrl));

        const int messages = 400;
        for (var i = 0; i < messages; i++) await kafka.ProduceAsync(topic, i % 4, Kafka.KafkaTestData.Snappy(Message("kafka-vm", i)));

        var expected = Expected("kafka-vm", Enumerable.Range(0, messages));
        HashSet<(string, long, double)> stored = [];
        Assert.True(await KafkaTestData.EventuallyAsync(async () =>
        {
            stored = await ExportAsync(vm, "kafka-vm");
            return stored.Count >= expected.Count;
        }, TimeSpan.FromSeconds(60)), $"{stored.Count} of {expected.Count} samples in VictoriaMetrics\n{vm.Log}");
        Assert.Equal(expected.Order(), stored.Order());
        await AssertCommittedToEndAsync(kafka, topic, "fwd-vm");
    }

    [Fact]
    public async Task Http_samples_and_exemplars_reach_Prometheus_before_the_write_is_acknowledged()
    {
        await using var prometheus = await PrometheusServer.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["RemoteWrite:Endpoints:0:Url"] = new Uri(prometheus.BaseAddress, "api/v1/write").ToString(),
            ["RemoteWrite:Endpoints:0:SendExemplars"] = "true",
        });

        for (var i = 0; i < 20; i++)
        {
            using var response = await system.Http.PostAsync("api/v1/write", WriteRequests.SnappyContent(Message("http-prom", i, partitions: 1)));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // Acknowledged means stored: no waiting before reading Prometheus back.
        var matrix = await prometheus.Http.GetStringAsync("api/v1/query?query=" +
            Uri.EscapeDataString("{job=\"http-prom\"}[3h]") + $"&time={(BaseMs + 10_000) / 1000}");
        using var json = System.Text.Json.JsonDocument.Parse(matrix);
        var stored = json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s =>
            {
                var key = Key(s.GetProperty("metric").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)));
                return s.GetProperty("values").EnumerateArray().Select(v =>
                    (key, (long)Math.Round(v[0].GetDouble() * 1000), double.Parse(v[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
            }).ToHashSet();
        Assert.Equal(Expected("http-prom", Enumerable.Range(0, 20), partitions: 1).Select(e => (e.Series, e.Timestamp, e.Value)).Order(), stored.Order());

        var exemplars = await prometheus.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("fwd_metric_0{job=\"http-prom\"}") +
            $"&start={BaseMs / 1000 - 1}&end={BaseMs / 1000 + 100}");
        foreach (var i in Enumerable.Range(0, 20)) Assert.Contains($"\"fwd-{i}\"", exemplars);
    }

    [Fact]
    public async Task A_VictoriaMetrics_outage_loses_nothing_and_keeps_per_series_order()
    {
        using var kafka = new KafkaMockCluster();
        await using var vm = await VictoriaMetricsServer.StartAsync();
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        const string topic = "fwd-outage";
        await using var system = await ExemplarSystem.StartAsync(settings: Settings(kafka, topic, "fwd-outage", vm.WriteUrl, receiver.Url));

        for (var i = 0; i < 100; i++) await kafka.ProduceAsync(topic, i % 4, Kafka.KafkaTestData.Raw(Message("outage", i)));
        Assert.True(await KafkaTestData.EventuallyAsync(async () => (await ExportAsync(vm, "outage")).Count >= 100 * SeriesPerMessage,
            TimeSpan.FromSeconds(60)), "the first 100 messages did not arrive");

        await vm.StopAsync();
        for (var i = 100; i < 300; i++) await kafka.ProduceAsync(topic, i % 4, Kafka.KafkaTestData.Raw(Message("outage", i)));
        await Task.Delay(TimeSpan.FromSeconds(30));
        // While the TSDB is down the partitions' offsets stop: Kafka is the buffer.
        var end = kafka.EndOffsets(topic);
        Assert.True(kafka.CommittedOffsets(topic, "fwd-outage").Values.Sum() < end.Values.Sum(), "offsets moved past undelivered samples");
        await vm.StartAgainAsync();

        var expected = Expected("outage", Enumerable.Range(0, 300));
        HashSet<(string, long, double)> stored = [];
        Assert.True(await KafkaTestData.EventuallyAsync(async () =>
        {
            stored = await ExportAsync(vm, "outage");
            return stored.Count >= expected.Count;
        }, TimeSpan.FromSeconds(90)), $"{stored.Count} of {expected.Count} samples after the outage; the loopback endpoint has " +
            $"{receiver.Requests.Sum(r => r.Series.Sum(x => x.Samples.Length))}; committed {string.Join(",", kafka.CommittedOffsets(topic, "fwd-outage").Values)} " +
            $"of {string.Join(",", kafka.EndOffsets(topic).Values)}\n{vm.Log}");
        Assert.Equal(expected.Order(), stored.Order());
        await AssertCommittedToEndAsync(kafka, topic, "fwd-outage");

        // Order per series as sent (the loopback endpoint records arrival order).
        var arrivals = receiver.Requests.SelectMany(r => r.Series)
            .GroupBy(s => s.Labels.ToString())
            .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Samples).Select(p => p.TimestampMs).ToList());
        Assert.Equal(300 * SeriesPerMessage, arrivals.Values.Sum(t => t.Count));
        foreach (var (series, timestamps) in arrivals) Assert.True(timestamps.SequenceEqual(timestamps.Order()), $"{series} out of order");
    }
}
