using Confluent.Kafka;
using Orleans.Streams;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Reads one Kafka partition for the silo that Orleans' queue balancer gave it to (through a
/// <see cref="KafkaPartitionConsumer"/>). A poll takes up to <see cref="KafkaStreamOptions.PollBatchSize"/> messages,
/// has the <see cref="IKafkaDataAdapter"/> decode and regroup them (one container per metric and one per forwarder
/// shard), dead-letters what it cannot decode, and returns the containers; an offset is stored for commit only when everything before it was delivered (for forwarder shards: accepted
/// by every remote-write endpoint). A poll is all or nothing: when any of it fails (a dead letter the broker does not
/// take, say), none of it is handed to Orleans, the partition is rewound to its first message and read again after a
/// backoff — it waits rather than lose or skip a message.
/// </summary>
/// <remarks>
/// Orleans' pulling agent calls <see cref="Initialize"/> once and, whatever it did, goes on asking for messages every
/// few milliseconds (Orleans 10.4.2 <c>PersistentStreamPullingAgent</c>: "the receiver itself may attempt later to
/// recover"), so a start that failed is retried from <see cref="GetQueueMessagesAsync"/>, paced by the backoff.
/// </remarks>
public sealed class KafkaQueueAdapterReceiver : IQueueAdapterReceiver, KafkaReceiverMetrics.IPartitionProgress
{
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(10);

    private readonly TopicPartition _partition;
    private readonly KafkaStreamOptions _options;
    private readonly KafkaTopicDirectory _directory;
    private readonly KafkaDeadLetterProducer _deadLetters;
    private readonly KafkaReceiverMetrics _metrics;
    private readonly IKafkaDataAdapter _data;
    private readonly ILogger _logger;
    private readonly KafkaPartitionConsumer _consumer;
    private readonly PartitionOffsetTracker _offsets = new();
    private readonly DeadLetteredOffsets _deadLettered = new();
    private TimeSpan _startTimeout = DefaultStartTimeout;

    public KafkaQueueAdapterReceiver(TopicPartition partition, KafkaStreamOptions options, KafkaTopicDirectory directory,
        KafkaDeadLetterProducer deadLetters, KafkaReceiverMetrics metrics, IKafkaDataAdapter data, ILogger logger)
    {
        _partition = partition;
        _options = options;
        _directory = directory;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _data = data;
        _logger = logger;
        _consumer = new KafkaPartitionConsumer(partition, options, logger, RecordError);
    }

    public long? Committed => _consumer.Stored;

    public long? Lag
    {
        get
        {
            var stored = _consumer.Stored;
            return stored is null || _consumer.HighWatermark is not { } high ? null : Math.Max(0, high - stored.Value);
        }
    }

    public async Task Initialize(TimeSpan timeout)
    {
        _metrics.Register(_partition, this);
        // Orleans' InitQueueTimeout also bounds the later attempts.
        if (timeout > TimeSpan.Zero) _startTimeout = timeout;
        await TryStartAsync(CancellationToken.None);
    }

    Task<IList<IBatchContainer>> IQueueAdapterReceiver.GetQueueMessagesAsync(int maxCount) =>
        GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (maxCount == 0 || !await TryStartAsync(cancellationToken)) return [];
        var poll = await _consumer.PollAsync(messages => HandleAsync(messages, cancellationToken));
        if (poll is null) return [];

        _deadLettered.ForgetThrough(poll.LastOffset);
        var tracked = _offsets.Track(poll.LastOffset, poll.Containers.Count);
        foreach (var container in poll.Containers) container.Poll = tracked;
        StoreCommittable();
        _metrics.RecordPoll(_partition, poll.Messages, poll.Bytes, poll.Containers.Count);
        foreach (var error in poll.DecodeErrors) _metrics.RecordDecodeError(_partition, error);
        for (var i = 0; i < poll.DecodeErrors.Count; i++) _metrics.RecordDeadLettered(_partition);
        if (poll.InvalidSeries > 0) _metrics.RecordInvalidSeries(_partition, poll.InvalidSeries);
        return [.. poll.Containers];
    }

    /// <summary>One poll made into containers; the counts are reported only once the poll as a whole succeeded.</summary>
    private sealed record Poll(List<KafkaBatchContainer> Containers, long LastOffset, int Messages, long Bytes,
        List<string> DecodeErrors, int InvalidSeries);

    private async Task<Poll> HandleAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> messages,
        CancellationToken cancellationToken)
    {
        var batch = await _data.BeginPollAsync(_partition, cancellationToken);
        long bytes = 0;
        var decodeErrors = new List<string>();
        var invalidSeries = 0;
        foreach (var message in messages)
        {
            bytes += message.Message.Value?.Length ?? 0;
            KafkaMessageContent content;
            try
            {
                content = batch.Add(message);
            }
            catch (KafkaPayloadException e)
            {
                decodeErrors.Add(e.Kind);
                // Sent by an earlier attempt at this poll: the dead-letter topic has it already.
                if (_deadLettered.Contains(message.Offset.Value)) continue;
                _logger.LogWarning("Dead-lettering {Topic}/{Partition}@{Offset}: {Reason}",
                    message.Topic, message.Partition.Value, message.Offset.Value, e.Message);
                // Awaited: the poll's offsets may only be committed once the broker holds the dead letter. When it
                // does not take it, the whole poll fails and is read again.
                await _deadLetters.SendAsync(message, e.Message, cancellationToken);
                _deadLettered.Add(message.Offset.Value);
                continue;
            }
            if (content.InvalidSeries > 0)
            {
                invalidSeries += content.InvalidSeries;
                _logger.LogDebug("{Topic}/{Partition}@{Offset}: {Count} invalid series, first: {First}",
                    message.Topic, message.Partition.Value, message.Offset.Value, content.InvalidSeries, content.FirstInvalid);
            }
        }

        var lastOffset = messages[^1].Offset.Value;
        _logger.LogDebug("Polled {Count} messages {First}..{Last} of {Partition}", messages.Count,
            messages[0].Offset.Value, lastOffset, _partition);
        var containers = batch.Build(lastOffset, $"{_partition.Topic}/{_partition.Partition.Value}@{lastOffset}");
        return new Poll(containers, lastOffset, messages.Count, bytes, decodeErrors, invalidSeries);
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
        _metrics.Unregister(_partition);
        await Task.Run(() =>
        {
            StoreCommittable();
            _consumer.Close();
        });
    }

    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        if (_consumer.IsStarted) return true;
        if (!await _directory.ExistsAsync(_partition, cancellationToken)) return false;
        return await _consumer.TryStartAsync(_startTimeout);
    }

    private void RecordError(string stage, Exception e) =>
        _metrics.RecordReceiverError(_partition, e is KafkaDeadLetterException ? KafkaReceiverMetrics.DeadLetterStage : stage);

    private void StoreCommittable()
    {
        var committable = _offsets.Committable;
        if (committable >= 0) _consumer.Store(committable);
    }
}
