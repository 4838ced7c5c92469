using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// One shard of the forwarding pool: a <see cref="ForwardQueue"/> per remote-write endpoint. A batch counts as
/// forwarded only when every endpoint accepted (or refused for good) each of its series; a stream delivery from
/// Kafka completes only then, so the partition's offset is committed only then. Reentrant: many batches wait at
/// once while the queues send. Which batches are queued or done is the <see cref="ForwardBatchLedger"/>'s; the memory
/// they hold is the silo's <see cref="ForwardQueueBudget"/>'s.
/// </summary>
[Reentrant]
[ImplicitStreamSubscription(StreamNamespaces.ForwardShards)]
public sealed class RemoteWriteForwarderGrain(
    RemoteWriteSenders senders,
    IOptions<RemoteWriteOptions> options,
    RemoteWriteMetrics metrics,
    ForwardQueueBudget budget,
    ILogger<RemoteWriteForwarderGrain> logger)
    : Grain, IRemoteWriteForwarderGrain, IStreamSubscriptionObserver, IAsyncObserver<ForwardBatch>
{
    /// <summary>Longest one call waits for its batch: well under Orleans' 30 s response timeout.</summary>
    public static readonly TimeSpan CallWait = TimeSpan.FromSeconds(10);

    private readonly ForwardBatchLedger _ledger = new(budget);
    private ForwardQueue[] _queues = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var shard = this.GetPrimaryKeyString();
        _queues = senders.Select(sender => new ForwardQueue(
            async (batch, ct) => await sender.SendAsync(batch, ct),
            o.MaxSamplesPerSend, o.BatchSendDeadline,
            delta => metrics.AddPending(sender.Name, delta),
            (e, batch, failures) =>
            {
                metrics.RecordQueueError(sender.Name);
                logger.LogError(e, "Forwarding to {Endpoint} (shard {Shard}): sending {Series} series threw ({Failures} in a row); " +
                                   "the same batch is sent again after a backoff", sender.Name, shard, batch.Count, failures);
            })).ToArray();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Batches still queued are not lost: their Kafka offsets are not committed and HTTP callers got no 2xx.
        foreach (var queue in _queues) await queue.DisposeAsync();
        _ledger.Abandon();
    }

    public Task<ForwardStatus> ForwardAsync(ForwardBatch batch, TimeSpan wait) => ForwardAsync(batch, wait, mayRefuse: true);

    private async Task<ForwardStatus> ForwardAsync(ForwardBatch batch, TimeSpan wait, bool mayRefuse)
    {
        if (_queues.Length == 0) return ForwardStatus.Forwarded;
        switch (_ledger.Admit(batch, batch.Series.Length * _queues.Length, mayRefuse, out var pending))
        {
            case ForwardAdmission.Done:
                return ForwardStatus.Forwarded;
            case ForwardAdmission.Refused:
                metrics.RecordRefusedBatch();
                return ForwardStatus.QueueFull;
            case ForwardAdmission.Admitted:
                foreach (var queue in _queues) queue.Enqueue(batch.Series, pending!);
                _ = ForgetWhenCompleteAsync(pending!);
                break;
        }
        var completion = pending!.Completion;
        var timeout = wait < CallWait ? wait : CallWait;
        if (timeout > TimeSpan.Zero && !completion.IsCompleted) await Task.WhenAny(completion, Task.Delay(timeout));
        return completion.IsCompleted ? ForwardStatus.Forwarded : ForwardStatus.Pending;
    }

    /// <summary>
    /// Frees the batch's bytes and remembers its id as soon as it is complete, whether or not a caller still waits (an
    /// HTTP sender that gave up may never come back). Runs on the grain's scheduler, like every turn of the ledger.
    /// </summary>
    private async Task ForgetWhenCompleteAsync(PendingBatch pending)
    {
        await pending.Completion;
        _ledger.Completed(pending.Id);
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<ForwardBatch>().ResumeAsync(this);

    public async Task OnNextAsync(ForwardBatch item, StreamSequenceToken? token = null)
    {
        // Failing the delivery makes the pulling agent deliver it again later, and that delivery waits for the same
        // queued batch: the offset waits for the endpoints, however long they are down.
        if (await ForwardAsync(item, CallWait, mayRefuse: false) != ForwardStatus.Forwarded)
        {
            throw new TimeoutException($"batch {item.Id} is not yet accepted by every remote-write endpoint");
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
