using Confluent.Kafka;
using Orleans.Streams;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// One Orleans queue per (topic, partition slot): partition p of a topic is slot p. The slots are fixed for the life
/// of the cluster (every silo must agree on the queues), so a topic may grow up to
/// <see cref="KafkaStreamOptions.PartitionSlotsPerTopic"/> partitions without a restart. Queues sit on Orleans' hash
/// ring, so the queue balancer spreads them over the silos and moves them when silos come and go.
/// </summary>
public sealed class KafkaQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly HashRingBasedPartitionedStreamQueueMapper _ring;
    private readonly Dictionary<string, TopicPartition> _partitions = new(StringComparer.Ordinal);

    public KafkaQueueMapper(IReadOnlyList<string> topics, int slotsPerTopic, string providerName)
    {
        var ids = new List<string>(topics.Count * slotsPerTopic);
        foreach (var topic in topics)
        {
            for (var p = 0; p < slotsPerTopic; p++)
            {
                var id = $"{topic}/{p}";
                ids.Add(id);
                _partitions[id] = new TopicPartition(topic, p);
            }
        }
        _ring = new HashRingBasedPartitionedStreamQueueMapper(ids, providerName);
    }

    public TopicPartition PartitionOf(QueueId queue) => _partitions[_ring.QueueToPartition(queue)];

    public IEnumerable<QueueId> GetAllQueues() => _ring.GetAllQueues();

    /// <summary>Only for producing into the provider, which this read-only provider does not do.</summary>
    public QueueId GetQueueForStream(Orleans.Runtime.StreamId streamId) => _ring.GetQueueForStream(streamId);

    public IEnumerable<QueueId> GetQueuesForRange(Orleans.Runtime.IRingRange range) => _ring.GetQueuesForRange(range);
}
