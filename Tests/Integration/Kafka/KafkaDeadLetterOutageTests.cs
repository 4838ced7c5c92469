using System.Text;
using OrleansExemplars.Silo.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// The dead-letter topic cannot be produced to (it does not exist and the broker may not create it, as with
/// <c>auto.create.topics.enable=false</c>): the partition holding a corrupt message waits at it — nothing after it is
/// lost or committed — while the other partitions go on; once the topic exists, the corrupt message is dead-lettered
/// once and every valid message arrives once.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaDeadLetterOutageTests(ITestOutputHelper output)
{
    private const string Marker = "oe-test-marker";

    [Fact]
    public async Task A_partition_waits_at_a_message_it_cannot_dead_letter_and_loses_nothing()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-dead-letter-outage";
        const string group = "dead-letter-outage";
        var deadLetterTopic = topic + "-dead-letter";
        var corrupt = "not a remote-write message"u8.ToArray();
        const int stalled = 1;

        // Message(i) belongs to partition i % 4; the corrupt message sits in partition 1 after its fourth message.
        var first = Enumerable.Range(0, 40).ToList();
        long corruptOffset = -1;
        foreach (var i in first)
        {
            await kafka.ProduceAsync(topic, i % 4, Snappy(Message(i)));
            if (i == 13)
            {
                corruptOffset = kafka.EndOffsets(topic)[stalled];
                await kafka.ProduceAsync(topic, stalled, corrupt);
            }
        }

        var settings = Settings(kafka, topic, group);
        // The broker refuses to create the dead-letter topic on first use; a failed produce is known within a second.
        settings["Kafka:Properties:allow.auto.create.topics"] = "false";
        settings["Kafka:Properties:topic.metadata.propagation.max.ms"] = "1000";
        using var counters = new CounterTotals("oe_exemplars_duplicate", "oe_exemplars_out_of_order", "oe_kafka_dead_lettered",
            "oe_kafka_receiver_errors");
        await using var system = await ExemplarSystem.StartAsync(settings: settings);
        counters.Scope(system);

        var others = new[] { 0, 2, 3 };
        await WaitForAsync(system, first.Where(i => i % 4 != stalled), "the other partitions' first messages");
        await WaitCommittedAsync(kafka, topic, group, others);

        // More traffic while the dead-letter topic is still missing.
        var second = Enumerable.Range(40, 40).ToList();
        foreach (var i in second) await kafka.ProduceAsync(topic, i % 4, Raw(Message(i)));
        await WaitForAsync(system, second.Where(i => i % 4 != stalled), "the other partitions' later messages");
        await WaitCommittedAsync(kafka, topic, group, others);

        // The stalled partition tried again since the later messages came (or, had it dropped the failed poll, read
        // them and committed past it), yet committed nothing past the corrupt message; nothing was dead-lettered.
        var failures = counters["oe_kafka_receiver_errors"];
        var retried = await EventuallyAsync(() => Task.FromResult(counters["oe_kafka_receiver_errors"] >= failures + 2 ||
            kafka.CommittedOffsets(topic, group)[stalled] > corruptOffset), TimeSpan.FromSeconds(60));
        Assert.True(retried, "the stalled partition neither retried nor moved on");
        var committed = kafka.CommittedOffsets(topic, group)[stalled];
        Assert.True(committed <= corruptOffset,
            $"partition {stalled} committed offset {committed}, past the corrupt message at {corruptOffset} that was never dead-lettered");
        Assert.Equal(0, counters["oe_kafka_dead_lettered"]);

        // The topic comes into being (an operator creates it): the test's own producer may create topics.
        await kafka.ProduceAsync(deadLetterTopic, 0, "marker"u8.ToArray(), (Marker, "1"));
        var cleared = System.Diagnostics.Stopwatch.StartNew();

        var all = first.Concat(second).ToList();
        await WaitForAsync(system, all, "every valid message after the dead-letter topic appeared");
        Assert.Equal(TraceIds(all).Order(StringComparer.Ordinal), (await QueryTraceIdsAsync(system.Http)).Order(StringComparer.Ordinal));
        await AssertCommittedToEndAsync(kafka, topic, group);
        output.WriteLine($"{counters["oe_kafka_receiver_errors"]} failed attempts while the dead-letter topic was missing; " +
                         $"caught up and committed to the end {cleared.Elapsed.TotalSeconds:0.0} s after it appeared");
        Assert.Equal(0, counters["oe_exemplars_duplicate"]);
        Assert.Equal(0, counters["oe_exemplars_out_of_order"]);

        var letters = kafka.ReadAll(deadLetterTopic).Where(m => m.Message.Headers.All(h => h.Key != Marker)).ToList();
        var letter = Assert.Single(letters);
        Assert.Equal(corrupt, letter.Message.Value);
        string Header(string name) => Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(name));
        Assert.Equal(corruptOffset.ToString(), Header(KafkaDeadLetterProducer.SourceOffsetHeader));
        Assert.Equal(stalled.ToString(), Header(KafkaDeadLetterProducer.SourcePartitionHeader));
        Assert.Equal(1, counters["oe_kafka_dead_lettered"]);
    }

    private static async Task WaitForAsync(ExemplarSystem system, IEnumerable<int> messages, string what)
    {
        var expected = TraceIds(messages).ToHashSet(StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var arrived = await EventuallyAsync(async () =>
        {
            found = (await QueryTraceIdsAsync(system.Http)).ToHashSet(StringComparer.Ordinal);
            return expected.IsSubsetOf(found);
        }, TimeSpan.FromSeconds(90));
        Assert.True(arrived, $"{expected.Except(found).Count()} of {expected.Count} exemplars of {what} missing");
    }

    private static async Task WaitCommittedAsync(KafkaMockCluster kafka, string topic, string group, int[] partitions)
    {
        var committed = await EventuallyAsync(() =>
        {
            var end = kafka.EndOffsets(topic);
            var offsets = kafka.CommittedOffsets(topic, group);
            return Task.FromResult(partitions.All(p => offsets[p] == end[p]));
        }, TimeSpan.FromSeconds(60));
        Assert.True(committed, $"partitions {string.Join(", ", partitions)} were not committed to their end");
    }
}
