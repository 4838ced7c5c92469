using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansExemplars.Silo.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// The consumer seam under the receiver, against the mock broker: whatever fails while a poll is handled (here the
/// handler throws, as a failing grain-routing lookup or a bug in decoding would), the messages of that poll are read
/// again from the first, none skipped, none twice once handled, and nothing past them is committed first.
/// </summary>
public sealed class KafkaPartitionConsumerTests
{
    [Fact]
    public async Task A_poll_whose_handling_fails_is_read_again_from_its_first_message()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "consumer-rewind";
        const int count = 23;
        for (var i = 0; i < count; i++) await kafka.ProduceAsync(topic, 2, BitConverter.GetBytes(i));
        var options = new KafkaStreamOptions
        {
            BootstrapServers = kafka.BootstrapServers,
            Topics = [topic],
            ConsumerGroup = "rewind",
            PollBatchSize = 5,
            PollTimeout = TimeSpan.FromMilliseconds(200),
        };
        var errors = new List<(string Stage, Exception Error)>();
        using var consumer = new KafkaPartitionConsumer(new TopicPartition(topic, 2), options, NullLogger.Instance,
            (stage, e) => errors.Add((stage, e)));
        Assert.True(await consumer.TryStartAsync(TimeSpan.FromSeconds(10)));

        var handled = new List<int>();
        var calls = 0;
        var failedAt = new List<int>();
        var resumedAt = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (handled.Count < count && DateTime.UtcNow < deadline)
        {
            var poll = await consumer.PollAsync(messages =>
            {
                var values = messages.Select(m => BitConverter.ToInt32(m.Message.Value)).ToList();
                if (failedAt.Count > resumedAt.Count) resumedAt.Add(values[0]);
                // The second and the fourth poll fail after their messages were consumed.
                if (++calls is 2 or 4)
                {
                    failedAt.Add(values[0]);
                    throw new InvalidOperationException("injected failure while handling the poll");
                }
                return Task.FromResult(values);
            });
            if (poll is null) continue;
            handled.AddRange(poll);
            consumer.Store(handled.Count);
        }

        Assert.Equal(Enumerable.Range(0, count), handled);
        Assert.Equal(2, failedAt.Count);
        Assert.Equal(failedAt, resumedAt);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(KafkaPartitionConsumer.PollStage, e.Stage));
        consumer.Close();
        Assert.Equal(count, kafka.CommittedOffsets(topic, "rewind")[2]);
    }
}
