using System.Text;
using Confluent.Kafka;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Messages are Prometheus remote-write requests (1.0 <c>WriteRequest</c>, snappy or not; 2.0 when the
/// <c>Content-Type</c> header says so), decoded by <see cref="RemoteWriteMessageDecoder"/> and regrouped by
/// <see cref="PollBatchBuilder"/>: exemplars by metric grain, samples for the forwarders.
/// </summary>
/// <param name="forwardShards">Forwarder shards to feed; 0 when no remote-write endpoint is configured.</param>
/// <param name="shards">Where series of sharded metrics go; null routes every metric to its plain grain.</param>
public sealed class RemoteWriteKafkaDataAdapter(KafkaStreamOptions options, int forwardShards, MetricShardDirectory? shards,
    SeriesLimits? limits = null) : IKafkaDataAdapter
{
    private readonly int _maxMessageBytes = options.MaxMessageBytes;
    private readonly int _forwardShards = forwardShards;
    private readonly MetricShardDirectory? _shards = shards;
    private readonly SeriesLimits _limits = limits ?? SeriesLimits.Default;

    public async Task<IKafkaPollBatch> BeginPollAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        // One router for the whole poll, so a series goes to one grain however many messages carry it.
        var router = _shards is null ? null : await _shards.CurrentAsync(cancellationToken);
        // A partition's messages go to one forwarder shard, mostly whole, which keeps their (and each series') order.
        return new Batch(this, new PollBatchBuilder(_forwardShards, router,
            _forwardShards == 0 ? null : partition.Partition.Value % _forwardShards));
    }

    private sealed class Batch(RemoteWriteKafkaDataAdapter adapter, PollBatchBuilder builder) : IKafkaPollBatch
    {
        public KafkaMessageContent Add(ConsumeResult<byte[]?, byte[]?> message)
        {
            DecodedWrite write;
            try
            {
                write = RemoteWriteMessageDecoder.Decode(message.Message.Value ?? [], Header(message, "Content-Type"),
                    Header(message, "Content-Encoding"), adapter._maxMessageBytes,
                    forwardAsBlock: adapter._forwardShards > 0, adapter._limits);
            }
            catch (RemoteWriteFormatException e)
            {
                throw new KafkaPayloadException(e.Error.ToString(), e.Message, e);
            }
            builder.Add(write);
            return new KafkaMessageContent(write.Invalid.Count, write.Invalid.Count > 0 ? write.Invalid[0].ToString() : null);
        }

        public List<KafkaBatchContainer> Build(long lastOffset, string pollId) => builder.Build(lastOffset, pollId);
    }

    private static string? Header(ConsumeResult<byte[]?, byte[]?> message, string name)
    {
        var headers = message.Message.Headers;
        if (headers is null) return null;
        foreach (var h in headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return Encoding.UTF8.GetString(h.GetValueBytes());
        }
        return null;
    }
}
