using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Partition counts of the consumed topics, read from the cluster's metadata and refreshed every
/// <see cref="KafkaStreamOptions.MetadataRefreshInterval"/>, so receivers of partitions that do not exist yet start
/// when the topic grows.
/// </summary>
public sealed class KafkaTopicDirectory : IDisposable
{
    private readonly KafkaStreamOptions _options;
    private readonly ILogger _logger;
    private readonly IAdminClient _admin;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);
    private DateTime _refreshedAt = DateTime.MinValue;

    public KafkaTopicDirectory(KafkaStreamOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _admin = new AdminClientBuilder(options.ClientConfig()).Build();
    }

    /// <summary>Reads the partition counts now; fails if a topic has more partitions than it has queue slots.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            await ReadCountsAsync(cancellationToken);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// <see cref="RefreshAsync"/>, except that a broker that does not answer (Kafka down while the silo starts) is
    /// logged, not thrown: the counts are read again by <see cref="ExistsAsync"/> later.
    /// </summary>
    public async Task TryRefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            await TryReadCountsAsync(cancellationToken);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>True once <paramref name="partition"/> exists, re-reading stale metadata when it did not yet.</summary>
    public async Task<bool> ExistsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        if (Exists(partition)) return true;
        if (!IsStale) return false;
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            // Every receiver of a missing partition asks: the first reads the metadata, the others use what it read.
            if (IsStale) await TryReadCountsAsync(cancellationToken);
        }
        finally
        {
            _refresh.Release();
        }
        return Exists(partition);
    }

    private async Task TryReadCountsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadCountsAsync(cancellationToken);
        }
        catch (KafkaException e)
        {
            _logger.LogWarning("Reading Kafka metadata failed ({Reason}); retrying in {Interval}", e.Error.Reason,
                _options.MetadataRefreshInterval);
            _refreshedAt = DateTime.UtcNow;
        }
    }

    private async Task ReadCountsAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in _options.Topics)
        {
            var metadata = await Task.Run(() => _admin.GetMetadata(topic, TimeSpan.FromSeconds(10)), cancellationToken);
            var topicMetadata = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            var count = topicMetadata is null || topicMetadata.Error.IsError ? 0 : topicMetadata.Partitions.Count;
            if (count > _options.PartitionSlotsPerTopic)
            {
                throw new InvalidOperationException(
                    $"Kafka topic \"{topic}\" has {count} partitions, more than Kafka:PartitionSlotsPerTopic " +
                    $"({_options.PartitionSlotsPerTopic}); raise it on every silo.");
            }
            if (count == 0) _logger.LogWarning("Kafka topic {Topic} has no partitions yet; waiting for it", topic);
            counts[topic] = count;
        }
        _partitionCounts = counts;
        _refreshedAt = DateTime.UtcNow;
    }

    private bool IsStale => DateTime.UtcNow - _refreshedAt >= _options.MetadataRefreshInterval;

    private bool Exists(TopicPartition partition) =>
        _partitionCounts.TryGetValue(partition.Topic, out var count) && partition.Partition.Value < count;

    public void Dispose()
    {
        _admin.Dispose();
        _refresh.Dispose();
    }
}
