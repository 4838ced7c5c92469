using Confluent.Kafka;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// librdkafka's built-in mock cluster: a real Kafka-protocol broker on loopback, alive as long as the client that
/// created it. Topics are created on first use with 4 partitions.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly IAdminClient _owner;
    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer;

    public KafkaMockCluster()
    {
        var config = new AdminClientConfig();
        config.Set("test.mock.num.brokers", "1");
        _owner = new AdminClientBuilder(config).Build();
        var brokers = _owner.GetMetadata(TimeSpan.FromSeconds(10)).Brokers;
        BootstrapServers = string.Join(",", brokers.Select(b => $"{b.Host}:{b.Port}"));
        _producer = new(() => new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            LingerMs = 5,
        }).Build());
    }

    public string BootstrapServers { get; }

    public async Task ProduceAsync(string topic, int partition, byte[] value, params (string Key, string Value)[] headers)
    {
        var message = new Message<byte[]?, byte[]?> { Value = value, Headers = [] };
        foreach (var (k, v) in headers) message.Headers.Add(k, System.Text.Encoding.UTF8.GetBytes(v));
        await _producer.Value.ProduceAsync(new TopicPartition(topic, partition), message);
    }

    /// <summary>Partition → end offset (the next offset to be written).</summary>
    public Dictionary<int, long> EndOffsets(string topic, int partitions = 4)
    {
        using var consumer = Consumer("oe-test-inspect");
        return Enumerable.Range(0, partitions).ToDictionary(p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>Partition → the group's committed offset (-1001 when none).</summary>
    public Dictionary<int, long> CommittedOffsets(string topic, string group, int partitions = 4)
    {
        using var consumer = Consumer(group);
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)),
                TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    /// <summary>Every message of <paramref name="topic"/> (all partitions), read from the beginning.</summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic, int partitions = 4)
    {
        using var consumer = Consumer("oe-test-read-" + Guid.NewGuid().ToString("N"));
        var end = EndOffsets(topic, partitions);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var messages = new List<ConsumeResult<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (messages.Count < end.Values.Sum() && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } m) messages.Add(m);
        }
        return messages;
    }

    private IConsumer<byte[]?, byte[]?> Consumer(string group) =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();

    private bool _disposed;

    /// <summary>Stops the broker (a test may do so early, to play a Kafka outage); a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(10));
            _producer.Value.Dispose();
        }
        _owner.Dispose();
    }
}
