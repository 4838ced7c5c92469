using Confluent.Kafka;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// The Kafka consumer of one partition, apart from Orleans. It starts when first asked — assigned (not subscribed) at
/// the group's committed offset, or where a rewind left off — and when starting fails (broker unreachable, no group
/// coordinator, an ACL) the half-built consumer is disposed there and then and the start is retried after a
/// <see cref="ReceiverBackoff"/>: failing starts leave no client, thread or connection behind. A poll hands its
/// messages to a handler; when the handler fails, the partition is rewound to the poll's first message and read
/// again after a backoff, so a consumed message is never skipped and nothing after it is stored for commit first.
/// </summary>
public sealed class KafkaPartitionConsumer(
    TopicPartition partition,
    KafkaStreamOptions options,
    ILogger logger,
    Action<string, Exception>? onError = null) : IDisposable
{
    /// <summary>Stage names passed to <c>onError</c>.</summary>
    public const string StartStage = "start", PollStage = "poll";

    private readonly ReceiverBackoff _startBackoff = new();
    private readonly ReceiverBackoff _pollBackoff = new();
    private volatile IConsumer<byte[]?, byte[]?>? _consumer;

    /// <summary>Where the next consumer starts when a rewind could not seek the current one; -1: the committed offset.</summary>
    private long _resumeAt = -1;

    private long _stored = -1;

    public bool IsStarted => _consumer is not null;

    /// <summary>Offset stored for commit (the next to read after everything delivered), or the group's committed offset at start.</summary>
    public long? Stored => _stored < 0 ? null : _stored;

    /// <summary>The partition's end offset as the consumer last saw it; null when not started or not known yet.</summary>
    public long? HighWatermark
    {
        get
        {
            try
            {
                var high = _consumer?.GetWatermarkOffsets(partition).High;
                return high is null || high == Offset.Unset ? null : high.Value.Value;
            }
            catch (ObjectDisposedException)
            {
                return null; // closed while a gauge was being read
            }
        }
    }

    /// <summary>
    /// Starts the consumer unless it runs or the backoff after a failed start has not passed; false when it does not
    /// run now. <paramref name="timeout"/> bounds the committed-offset lookup.
    /// </summary>
    public async Task<bool> TryStartAsync(TimeSpan timeout)
    {
        if (_consumer is not null) return true;
        if (_startBackoff.IsWaiting(Environment.TickCount64)) return false;
        try
        {
            // Not cancellable half-way: the consumer built here is either returned or disposed here.
            var (consumer, committed) = await Task.Run(() => Start(timeout));
            if (committed > _stored) _stored = committed;
            _resumeAt = -1;
            _startBackoff.Succeeded();
            _consumer = consumer;
            logger.LogInformation("Consuming Kafka {Partition}", partition);
            return true;
        }
        catch (Exception e)
        {
            var delay = _startBackoff.Failed(Environment.TickCount64);
            onError?.Invoke(StartStage, e);
            logger.LogWarning("Starting the Kafka consumer of {Partition} failed ({Reason}); attempt {Attempt}, next in {Delay:0.0} s",
                partition, e.Message, _startBackoff.ConsecutiveFailures, delay.TotalSeconds);
            return false;
        }
    }

    private (IConsumer<byte[]?, byte[]?> Consumer, long Committed) Start(TimeSpan timeout)
    {
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
        try
        {
            consumer.Assign(new TopicPartitionOffset(partition, _resumeAt >= 0 ? new Offset(_resumeAt) : Offset.Stored));
            // The group's committed offset is where this receiver starts: reported until a poll moves it on. Asking for
            // it also proves the group coordinator answers before the partition counts as started.
            var committed = consumer.Committed([partition], timeout);
            return (consumer, committed.Count == 1 ? committed[0].Offset.Value : -1);
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes up to <see cref="KafkaStreamOptions.PollBatchSize"/> messages and returns what <paramref name="handle"/>
    /// makes of them; null when there was nothing to read, the consumer does not run, or a failed poll's backoff has
    /// not passed. When <paramref name="handle"/> throws, the poll is rewound and null returned.
    /// </summary>
    public async Task<TResult?> PollAsync<TResult>(Func<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>, Task<TResult>> handle)
        where TResult : class
    {
        var consumer = _consumer;
        if (consumer is null || _pollBackoff.IsWaiting(Environment.TickCount64)) return null;
        var messages = await Task.Run(() => Consume(consumer));
        if (messages.Count == 0) return null;
        try
        {
            var result = await handle(messages);
            _pollBackoff.Succeeded();
            return result;
        }
        catch (Exception e)
        {
            var first = messages[0].Offset.Value;
            Rewind(consumer, first);
            var delay = _pollBackoff.Failed(Environment.TickCount64);
            onError?.Invoke(PollStage, e);
            logger.LogWarning(e, "Handling {Count} messages of {Partition} from offset {Offset} failed ({Reason}); " +
                "the partition waits there and reads them again in {Delay:0.0} s (attempt {Attempt})",
                messages.Count, partition, first, e.Message, delay.TotalSeconds, _pollBackoff.ConsecutiveFailures);
            return null;
        }
    }

    private List<ConsumeResult<byte[]?, byte[]?>> Consume(IConsumer<byte[]?, byte[]?> consumer)
    {
        var messages = new List<ConsumeResult<byte[]?, byte[]?>>();
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
        catch (KafkaException e)
        {
            // What was consumed before the error is kept: dropping it would skip those messages.
            logger.LogWarning(e, "Consuming {Partition} failed: {Reason}", partition, e.Error.Reason);
        }
        return messages;
    }

    /// <summary>Moves the read position back to <paramref name="offset"/>, discarding what librdkafka fetched beyond it.</summary>
    private void Rewind(IConsumer<byte[]?, byte[]?> consumer, long offset)
    {
        try
        {
            consumer.Seek(new TopicPartitionOffset(partition, offset));
        }
        catch (Exception e) when (e is KafkaException or InvalidOperationException)
        {
            // The consumer cannot seek: a new one starts at that offset instead.
            logger.LogWarning(e, "Seeking {Partition} to {Offset} failed; restarting its consumer there", partition, offset);
            _resumeAt = offset;
            Close();
        }
    }

    /// <summary>Stores <paramref name="offset"/> (the next to read) for librdkafka's next commit, if it moves forward.</summary>
    public void Store(long offset)
    {
        var consumer = _consumer;
        if (consumer is null || offset <= _stored) return;
        try
        {
            consumer.StoreOffset(new TopicPartitionOffset(partition, offset));
            _stored = offset;
        }
        catch (KafkaException e)
        {
            // Kept unstored: the next delivery report stores it (or a later offset) again.
            logger.LogWarning(e, "Storing offset {Offset} of {Partition} failed", offset, partition);
        }
    }

    /// <summary>Commits what is stored, if the broker answers, and closes the consumer.</summary>
    public void Close()
    {
        var consumer = Interlocked.Exchange(ref _consumer, null);
        if (consumer is null) return;
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e)
        {
            // Nothing stored since the last commit, or the broker is gone: the group keeps the last commit and
            // whoever takes the partition re-reads from there (appends are idempotent).
            logger.LogDebug(e, "Final commit of {Partition} skipped", partition);
        }
        try
        {
            consumer.Close();
        }
        catch (KafkaException e)
        {
            logger.LogDebug(e, "Closing the consumer of {Partition} failed", partition);
        }
        consumer.Dispose();
    }

    public void Dispose() => Close();
}
