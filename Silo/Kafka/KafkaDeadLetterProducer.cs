using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Sends messages that cannot be decoded to the dead-letter topic, unchanged, with headers saying why and where they
/// came from, so the partition can move on and nothing is silently lost.
/// </summary>
public sealed class KafkaDeadLetterProducer(KafkaStreamOptions options) : IDisposable
{
    public const string ReasonHeader = "oe-dead-letter-reason";
    public const string SourceTopicHeader = "oe-dead-letter-source-topic";
    public const string SourcePartitionHeader = "oe-dead-letter-source-partition";
    public const string SourceOffsetHeader = "oe-dead-letter-source-offset";

    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer = new(() =>
    {
        var config = options.ClientConfig();
        config.TryAdd("acks", "all");
        // A dead letter the broker does not take fails within this (librdkafka's default is 5 minutes), and its
        // partition retries after a backoff; retries inside librdkafka do not write it twice.
        config.TryAdd("message.timeout.ms", "30000");
        config.TryAdd("enable.idempotence", "true");
        return new ProducerBuilder<byte[]?, byte[]?>(config).Build();
    });

    /// <summary>Completes when the broker has the message: only then may the source offset be committed.</summary>
    /// <exception cref="KafkaDeadLetterException">The broker did not take it (topic missing, not authorized, timeout).</exception>
    public async Task SendAsync(ConsumeResult<byte[]?, byte[]?> source, string reason, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        if (source.Message.Headers is not null)
        {
            foreach (var h in source.Message.Headers) headers.Add(h.Key, h.GetValueBytes());
        }
        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(reason));
        headers.Add(SourceTopicHeader, Encoding.UTF8.GetBytes(source.Topic));
        headers.Add(SourcePartitionHeader, Encoding.UTF8.GetBytes(source.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(SourceOffsetHeader, Encoding.UTF8.GetBytes(source.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        try
        {
            await _producer.Value.ProduceAsync(options.DeadLetterTopic,
                new Message<byte[]?, byte[]?> { Key = source.Message.Key, Value = source.Message.Value, Headers = headers },
                cancellationToken);
        }
        catch (KafkaException e)
        {
            throw new KafkaDeadLetterException(
                $"could not dead-letter {source.Topic}/{source.Partition.Value}@{source.Offset.Value} to topic " +
                $"\"{options.DeadLetterTopic}\": {e.Error.Reason} ({e.Error.Code})", e);
        }
    }

    public void Dispose()
    {
        if (!_producer.IsValueCreated) return;
        _producer.Value.Flush(TimeSpan.FromSeconds(10));
        _producer.Value.Dispose();
    }
}
