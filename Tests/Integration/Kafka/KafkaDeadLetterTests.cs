using System.Text;
using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Silo.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>One topic mixing every accepted format with corrupt messages: the good ones are ingested, the bad ones
/// dead-lettered with headers that say why and where from, and the partitions keep moving.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaDeadLetterTests
{
    [Fact]
    public async Task Snappy_raw_and_v2_messages_are_ingested_and_corrupt_ones_dead_lettered()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-mixed";
        var random = new Random(7);
        var garbage = new byte[300];
        random.NextBytes(garbage);
        garbage[0] = 0x07; // neither a v1/v2 field tag nor a plausible snappy block for these bytes
        var truncated = Message(999).ToByteArray()[..40];
        var badSnappy = Snappy(Message(998))[..25];
        var corrupt = new (byte[] Value, (string, string)[] Headers)[]
        {
            (garbage, []),
            (truncated, [("Content-Encoding", "identity")]),
            (badSnappy, [("Content-Encoding", "snappy")]),
        };

        var good = Enumerable.Range(0, 60).ToList();
        foreach (var i in good)
        {
            var request = Message(i);
            var partition = i % 4;
            switch (i % 3)
            {
                case 0: await kafka.ProduceAsync(topic, partition, Raw(request)); break;
                case 1: await kafka.ProduceAsync(topic, partition, Snappy(request), ("Content-Encoding", "snappy")); break;
                default:
                    await kafka.ProduceAsync(topic, partition, RemoteWriteDecoder.EncodeSnappy(WriteRequestsV2.ToV2(request)),
                        ("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request"),
                        ("Content-Encoding", "snappy"));
                    break;
            }
            if (i % 20 == 5)
            {
                var (value, headers) = corrupt[i / 20];
                await kafka.ProduceAsync(topic, partition, value, headers);
            }
        }

        using var counters = new CounterTotals("oe_kafka_dead_lettered", "oe_kafka_decode_errors");
        await using var system = await ExemplarSystem.StartAsync(settings: Settings(kafka, topic, "mixed"));
        counters.Scope(system);

        var expected = TraceIds(good).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        Assert.True(await EventuallyAsync(async () =>
        {
            found = await QueryTraceIdsAsync(system.Http);
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(60)), $"{found.Count} of {expected.Count} exemplars arrived");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));

        await AssertCommittedToEndAsync(kafka, topic, "mixed");
        var end = kafka.EndOffsets(topic);

        var dead = kafka.ReadAll(topic + "-dead-letter");
        Assert.Equal(3, dead.Count);
        Assert.Equal(3, counters["oe_kafka_dead_lettered"]);
        Assert.Equal(3, counters["oe_kafka_decode_errors"]);
        foreach (var (value, _) in corrupt)
        {
            var letter = Assert.Single(dead, d => d.Message.Value!.AsSpan().SequenceEqual(value));
            string Header(string name) => Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(name));
            Assert.Equal(topic, Header(KafkaDeadLetterProducer.SourceTopicHeader));
            var partition = int.Parse(Header(KafkaDeadLetterProducer.SourcePartitionHeader));
            var offset = long.Parse(Header(KafkaDeadLetterProducer.SourceOffsetHeader));
            Assert.InRange(partition, 0, 3);
            Assert.InRange(offset, 0, end[partition] - 1);
            Assert.False(string.IsNullOrWhiteSpace(Header(KafkaDeadLetterProducer.ReasonHeader)));
        }
        Assert.Contains("snappy", Encoding.UTF8.GetString(
            dead.Single(d => d.Message.Value!.AsSpan().SequenceEqual(badSnappy)).Message.Headers
                .GetLastBytes(KafkaDeadLetterProducer.ReasonHeader)));
    }
}
