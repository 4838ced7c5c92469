using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using OrleansExemplars.GrainInterfaces.RemoteWrite;
using OrleansExemplars.GrainInterfaces.Sharding;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Reads one Kafka partition for the silo that Orleans' queue balancer gave it to. The partition is assigned, not
/// subscribed (Orleans decides ownership), and resumes at the group's committed offset. A poll takes up to
/// <see cref="KafkaStreamOptions.PollBatchSize"/> messages, decodes them, dead-letters what no format decodes, and
/// returns one container per metric and one per forwarder shard; an offset is stored for commit only when everything
/// before it was delivered (for forwarder shards: accepted by every remote-write endpoint).
/// </summary>
public sealed class KafkaQueueAdapterReceiver(
    TopicPartition partition,
    KafkaStreamOptions options,
    KafkaTopicDirectory directory,
    KafkaDeadLetterProducer deadLetters,
    KafkaReceiverMetrics metrics,
    int forwardShards,
    MetricShardDirectory? shards,
    ILogger logger) : IQueueAdapterReceiver, KafkaReceiverMetrics.IPartitionProgress
{
    private readonly PartitionOffsetTracker _offsets = new();
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private long _stored = -1;

    public long? Committed => _stored < 0 ? null : _stored;

    public long? Lag
    {
        get
        {
            var consumer = _consumer;
            if (consumer is null || _stored < 0) return null;
            var high = consumer.GetWatermarkOffsets(partition).High;
            return high == Offset.Unset ? null : Math.Max(0, high.Value - _stored);
        }
    }

    public async Task Initialize(TimeSpan timeout)
    {
        metrics.Register(partition, this);
        using var cts = new CancellationTokenSource(timeout);
        await TryStartAsync(cts.Token);
    }

    Task<IList<IBatchContainer>> IQueueAdapterReceiver.GetQueueMessagesAsync(int maxCount) =>
        GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (maxCount == 0 || !await TryStartAsync(cancellationToken)) return [];
        var messages = await Task.Run(Poll, cancellationToken);
        if (messages.Count == 0) return [];

        // One router for the whole poll, so a series goes to one grain however many messages carry it.
        var router = shards is null ? null : await shards.CurrentAsync(cancellationToken);
        // A partition's messages go to one forwarder shard, mostly whole, which keeps their (and each series') order.
        var batch = new PollBatchBuilder(forwardShards, router, forwardShards == 0 ? null : partition.Partition.Value % forwardShards);
        long bytes = 0;
        foreach (var message in messages)
        {
            var value = message.Message.Value ?? [];
            bytes += value.Length;
            DecodedWrite write;
            try
            {
                write = RemoteWriteMessageDecoder.Decode(value, Header(message, "Content-Type"),
                    Header(message, "Content-Encoding"), options.MaxMessageBytes, forwardAsBlock: forwardShards > 0);
            }
            catch (RemoteWriteFormatException e)
            {
                metrics.RecordDecodeError(partition, e.Error.ToString());
                logger.LogWarning("Dead-lettering {Topic}/{Partition}@{Offset}: {Reason}",
                    message.Topic, message.Partition.Value, message.Offset.Value, e.Message);
                // Awaited: the poll's offsets may only be committed once the broker holds the dead letter.
                await deadLetters.SendAsync(message, e.Message, cancellationToken);
                metrics.RecordDeadLettered(partition);
                continue;
            }
            if (write.Invalid.Count > 0)
            {
                metrics.RecordInvalidSeries(partition, write.Invalid.Count);
                logger.LogDebug("{Topic}/{Partition}@{Offset}: {Count} invalid series, first: {First}",
                    message.Topic, message.Partition.Value, message.Offset.Value, write.Invalid.Count, write.Invalid[0]);
            }
            batch.Add(write);
        }

        var lastOffset = messages[^1].Offset.Value;
        logger.LogDebug("Polled {Count} messages {First}..{Last} of {Partition}", messages.Count,
            messages[0].Offset.Value, lastOffset, partition);
        var containers = batch.Build(lastOffset, $"{partition.Topic}/{partition.Partition.Value}@{lastOffset}");
        var poll = _offsets.Track(lastOffset, containers.Count);
        foreach (var container in containers) container.Poll = poll;
        StoreCommittable();
        metrics.RecordPoll(partition, messages.Count, bytes, containers.Count);
        return [.. containers];
    }

    Task IQueueAdapterReceiver.MessagesDeliveredAsync(IList<IBatchContainer> messages) =>
        MessagesDeliveredAsync(messages, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            if (message is KafkaBatchContainer { Poll: { } poll } container)
            {
                container.Poll = null;
                _offsets.Delivered(poll);
            }
        }
        StoreCommittable();
        return Task.CompletedTask;
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        metrics.Unregister(partition);
        var consumer = Interlocked.Exchange(ref _consumer, null);
        if (consumer is null) return;
        await Task.Run(() =>
        {
            try
            {
                StoreCommittable(consumer);
                consumer.Commit();
            }
            catch (KafkaException e)
            {
                // Nothing stored since the last commit, or the broker is gone: the group keeps the last commit and
                // whoever takes the partition re-reads from there (appends are idempotent).
                logger.LogDebug(e, "Final commit of {Partition} skipped", partition);
            }
            consumer.Close();
            consumer.Dispose();
        });
    }

    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        if (_consumer is not null) return true;
        if (!await directory.ExistsAsync(partition, cancellationToken)) return false;
        var config = new ConsumerConfig(options.ClientConfig())
        {
            GroupId = options.ConsumerGroup,
            EnableAutoCommit = true,
            // Offsets are stored by hand once delivered; librdkafka commits what is stored every interval.
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = (int)options.CommitInterval.TotalMilliseconds,
            AutoOffsetReset = options.AutoOffsetReset,
        };
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, e) => logger.LogWarning("Kafka consumer of {Partition}: {Reason}", partition, e.Reason))
            .Build();
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Stored));
        // The group's committed offset is where this receiver starts: report it until a poll moves it on.
        var committed = await Task.Run(() => consumer.Committed([partition], TimeSpan.FromSeconds(10)), cancellationToken);
        if (committed.Count == 1 && committed[0].Offset.Value >= 0) _stored = committed[0].Offset.Value;
        _consumer = consumer;
        logger.LogInformation("Consuming Kafka {Partition}", partition);
        return true;
    }

    private List<ConsumeResult<byte[]?, byte[]?>> Poll()
    {
        var messages = new List<ConsumeResult<byte[]?, byte[]?>>();
        var consumer = _consumer!;
        try
        {
            var first = consumer.Consume(options.PollTimeout);
            if (first is null) return messages;
            messages.Add(first);
            // The rest comes from librdkafka's prefetched queue without waiting.
            while (messages.Count < options.PollBatchSize && consumer.Consume(TimeSpan.Zero) is { } next)
            {
                messages.Add(next);
            }
        }
        catch (ConsumeException e)
        {
            logger.LogWarning(e, "Consuming {Partition} failed: {Reason}", partition, e.Error.Reason);
        }
        return messages;
    }

    private void StoreCommittable(IConsumer<byte[]?, byte[]?>? consumer = null)
    {
        consumer ??= _consumer;
        var committable = _offsets.Committable;
        if (consumer is null || committable <= _stored) return;
        consumer.StoreOffset(new TopicPartitionOffset(partition, committable));
        _stored = committable;
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
