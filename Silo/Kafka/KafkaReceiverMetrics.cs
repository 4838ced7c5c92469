using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// The Kafka receivers' instruments: what was read, what could not be decoded, and per partition how far the
/// committed offset trails the end of the partition.
/// </summary>
public sealed class KafkaReceiverMetrics
{
    public const string MeterName = "OrleansExemplars.Kafka";

    /// <summary><c>stage</c> of <c>oe_kafka_receiver_errors_total</c> for a dead letter the broker did not take.</summary>
    public const string DeadLetterStage = "dead_letter";

    private static readonly string[] Stages = [KafkaPartitionConsumer.StartStage, KafkaPartitionConsumer.PollStage, DeadLetterStage];

    private readonly Counter<long> _messages;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _decodeErrors;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _invalidSeries;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _containers;
    private readonly Counter<long> _receiverErrors;
    private readonly ConcurrentDictionary<TopicPartition, IPartitionProgress> _partitions = new();

    public KafkaReceiverMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _messages = meter.CreateCounter<long>("oe_kafka_messages", description: "Kafka messages read.");
        _bytes = meter.CreateCounter<long>("oe_kafka_message_bytes", unit: "By", description: "Bytes of Kafka message values read.");
        _decodeErrors = meter.CreateCounter<long>("oe_kafka_decode_errors", description: "Messages that decoded as no remote-write format.");
        _deadLettered = meter.CreateCounter<long>("oe_kafka_dead_lettered", description: "Messages sent to the dead-letter topic.");
        _invalidSeries = meter.CreateCounter<long>("oe_kafka_invalid_series", description: "Series refused by label validation.");
        _polls = meter.CreateCounter<long>("oe_kafka_polls", description: "Polls that returned messages.");
        _containers = meter.CreateCounter<long>("oe_kafka_stream_batches",
            description: "Stream batches (one per metric per poll) handed to Orleans for delivery.");
        _receiverErrors = meter.CreateCounter<long>("oe_kafka_receiver_errors",
            description: "Failed consumer starts and polls (rewound and retried after a backoff), by stage: start, poll, dead_letter.");
        meter.CreateObservableGauge("oe_kafka_partition_lag", () => Observe(p => p.Lag),
            description: "Partition end offset minus committed offset.");
        meter.CreateObservableGauge("oe_kafka_committed_offset", () => Observe(p => p.Committed),
            description: "Last offset committed for the partition (the next one to read).");
    }

    public void Register(TopicPartition partition, IPartitionProgress progress)
    {
        _partitions[partition] = progress;
        // Exported at 0 from the start, so an alert on its rate works before the first failure.
        foreach (var stage in Stages) RecordReceiverError(partition, stage, 0);
    }

    public void Unregister(TopicPartition partition) => _partitions.TryRemove(partition, out _);

    public void RecordPoll(TopicPartition partition, int messages, long bytes, int containers)
    {
        var tags = Tags(partition);
        _polls.Add(1, tags);
        _messages.Add(messages, tags);
        _bytes.Add(bytes, tags);
        _containers.Add(containers, tags);
    }

    public void RecordDecodeError(TopicPartition partition, string error)
    {
        _decodeErrors.Add(1, Tags(partition).Append(new KeyValuePair<string, object?>("error", error)).ToArray());
    }

    public void RecordDeadLettered(TopicPartition partition) => _deadLettered.Add(1, Tags(partition));

    public void RecordReceiverError(TopicPartition partition, string stage, int count = 1) =>
        _receiverErrors.Add(count, Tags(partition).Append(new KeyValuePair<string, object?>("stage", stage)).ToArray());

    public void RecordInvalidSeries(TopicPartition partition, int count) => _invalidSeries.Add(count, Tags(partition));

    private IEnumerable<Measurement<long>> Observe(Func<IPartitionProgress, long?> value)
    {
        foreach (var (partition, progress) in _partitions)
        {
            if (value(progress) is { } v) yield return new Measurement<long>(v, Tags(partition));
        }
    }

    private static KeyValuePair<string, object?>[] Tags(TopicPartition partition) =>
    [
        new("topic", partition.Topic),
        new("partition", partition.Partition.Value),
    ];

    /// <summary>A receiver's view of its partition, read when the gauges are observed.</summary>
    public interface IPartitionProgress
    {
        long? Committed { get; }
        long? Lag { get; }
    }
}
