using System.Text.Json;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// Kafka messages decode through the same name validation as HTTP (librdkafka's mock broker, the real Kafka
/// protocol): UTF-8 names are ingested by default and counted invalid under <c>Ingest:NameValidation=Legacy</c>, the
/// rest of the message kept either way.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaUtf8NameTests
{
    [Theory]
    [InlineData("Utf8")]
    [InlineData("Legacy")]
    public async Task A_message_with_a_UTF8_metric_name_is_ingested_unless_names_are_legacy(string scheme)
    {
        using var kafka = new KafkaMockCluster();
        var topic = "rw-utf8-" + scheme.ToLowerInvariant();
        var group = "utf8-" + scheme.ToLowerInvariant();
        var message = Request(
            Series(("__name__", "kafka.utf8.metric"), ("service.name", "kafka-utf8")).WithSample(1, 1000)
                .WithExemplar(1, 1000, ("trace_id", "utf8")),
            Series(("__name__", "kafka_legacy_metric"), ("service_name", "kafka-utf8")).WithSample(1, 1000)
                .WithExemplar(1, 1000, ("trace_id", "legacy")));
        await kafka.ProduceAsync(topic, 0, Snappy(message));

        using var counters = new CounterTotals("oe_kafka_invalid_series", "oe_kafka_dead_lettered");
        var settings = Settings(kafka, topic, group);
        settings["Ingest:NameValidation"] = scheme;
        await using var system = await ExemplarSystem.StartAsync(settings: settings);
        counters.Scope(system);
        Assert.True(await EventuallyAsync(() => Task.FromResult(kafka.CommittedOffsets(topic, group)[0] == 1), TimeSpan.FromSeconds(60)),
            "partition 0 was not committed past the message");

        async Task<List<string?>> NamesAsync(string query)
        {
            var answer = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query));
            using var data = JsonDocument.Parse(answer);
            return data.RootElement.GetProperty("data").EnumerateArray()
                .Select(s => s.GetProperty("seriesLabels").GetProperty("__name__").GetString()).ToList();
        }
        Assert.Equal(["kafka_legacy_metric"], await NamesAsync("{service_name=\"kafka-utf8\"}"));
        if (scheme == "Utf8")
        {
            Assert.Equal(["kafka.utf8.metric"], await NamesAsync("{\"kafka.utf8.metric\", \"service.name\"=\"kafka-utf8\"}"));
            Assert.Equal(0, counters["oe_kafka_invalid_series"]);
        }
        else
        {
            Assert.Equal(1, counters["oe_kafka_invalid_series"]);
        }
        Assert.Equal(0, counters["oe_kafka_dead_lettered"]);
    }
}
