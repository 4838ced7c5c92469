using Orleans.Streams;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>Read-only adapter: Kafka is written by the producers, Orleans only reads it through receivers.</summary>
public sealed class KafkaQueueAdapter(
    string name,
    KafkaStreamOptions options,
    KafkaQueueMapper mapper,
    KafkaTopicDirectory directory,
    KafkaDeadLetterProducer deadLetters,
    KafkaReceiverMetrics metrics,
    IKafkaDataAdapter data,
    ILoggerFactory loggerFactory) : IQueueAdapter
{
    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var partition = mapper.PartitionOf(queueId);
        return new KafkaQueueAdapterReceiver(partition, options, directory, deadLetters, metrics, data,
            loggerFactory.CreateLogger($"{typeof(KafkaQueueAdapterReceiver).FullName}.{name}.{partition.Topic}.{partition.Partition.Value}"));
    }

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token,
        Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException("The Kafka stream provider is read-only: produce to the Kafka topic instead.");
}
