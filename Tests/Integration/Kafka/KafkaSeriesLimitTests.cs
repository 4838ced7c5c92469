using System.Text.Json;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// A Kafka message carrying a series whose metric name is too long to key a grain: that series is counted as invalid,
/// the rest of the message is ingested, nothing is dead-lettered and the partition moves on.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaSeriesLimitTests
{
    [Fact]
    public async Task A_series_with_a_2000_character_metric_name_is_counted_invalid_and_the_rest_of_its_message_kept()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-series-limit";
        const string group = "series-limit";
        var message = Request(
            Series(("__name__", "kafka_before"), ("job", "kafka-limit")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "b")),
            Series(("__name__", new string('k', 2000)), ("job", "kafka-limit")).WithSample(1, 1000)
                .WithExemplar(1, 1000, ("trace_id", "long")),
            Series(("__name__", "kafka_after"), ("job", "kafka-limit")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "a")));
        await kafka.ProduceAsync(topic, 0, Snappy(message));
        await kafka.ProduceAsync(topic, 0, Raw(Message(0)));

        using var counters = new CounterTotals("oe_kafka_invalid_series", "oe_kafka_dead_lettered");
        await using var system = await ExemplarSystem.StartAsync(settings: Settings(kafka, topic, group));
        counters.Scope(system);
        Assert.True(await EventuallyAsync(async () => (await QueryTraceIdsAsync(system.Http)).Count >= 10, TimeSpan.FromSeconds(60)),
            "the message after the one with the long name did not arrive");
        Assert.True(await EventuallyAsync(() => Task.FromResult(kafka.CommittedOffsets(topic, group)[0] == 2), TimeSpan.FromSeconds(30)),
            "partition 0 was not committed past both messages");

        var answer = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"kafka-limit\"}"));
        using var data = JsonDocument.Parse(answer);
        var names = data.RootElement.GetProperty("data").EnumerateArray()
            .Select(s => s.GetProperty("seriesLabels").GetProperty("__name__").GetString()).Order().ToList();
        Assert.Equal(["kafka_after", "kafka_before"], names);
        Assert.Equal(1, counters["oe_kafka_invalid_series"]);
        Assert.Equal(0, counters["oe_kafka_dead_lettered"]);
    }
}
