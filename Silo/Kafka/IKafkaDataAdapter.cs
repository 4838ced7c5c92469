using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// The payload side of the Kafka stream provider, as EventHubs' data adapter is for its provider: what the messages
/// of one poll mean and which streams they go to. The provider (factory, adapter, receiver) knows Kafka and Orleans —
/// partitions, offsets, commits, dead letters, containers handed to the pulling agent — and nothing of the payload.
/// </summary>
public interface IKafkaDataAdapter
{
    /// <summary>A new batch for one poll of <paramref name="partition"/>.</summary>
    Task<IKafkaPollBatch> BeginPollAsync(TopicPartition partition, CancellationToken cancellationToken);
}

/// <summary>The messages of one poll, regrouped by stream.</summary>
public interface IKafkaPollBatch
{
    /// <summary>Decodes <paramref name="message"/> into the batch.</summary>
    /// <exception cref="KafkaPayloadException">No format decodes it: the receiver dead-letters it.</exception>
    KafkaMessageContent Add(ConsumeResult<byte[]?, byte[]?> message);

    /// <summary>
    /// The poll's containers, ordered after every earlier poll's by <paramref name="lastOffset"/>;
    /// <paramref name="pollId"/> names the poll (topic, partition, offset) so a redelivered batch is recognised.
    /// </summary>
    List<KafkaBatchContainer> Build(long lastOffset, string pollId);
}

/// <summary>What one decoded message held that the receiver reports: the series it refused, and the first of them.</summary>
public readonly record struct KafkaMessageContent(int InvalidSeries, string? FirstInvalid);

/// <summary>A message no format decodes; <see cref="Kind"/> labels the decode-error counter.</summary>
public sealed class KafkaPayloadException(string kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Kind { get; } = kind;
}
