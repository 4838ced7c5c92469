using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// One shard of the forwarding pool: a <see cref="ForwardQueue"/> per remote-write endpoint. A batch counts as
/// forwarded only when every endpoint accepted (or refused for good) each of its series; a stream delivery from
/// Kafka completes only then, so the partition's offset is committed only then. Reentrant: many batches wait at
/// once while the queues send.
/// </summary>
[Reentrant]
[ImplicitStreamSubscription(StreamNamespaces.ForwardShards)]
public sealed class RemoteWriteForwarderGrain(
    RemoteWriteSenders senders,
    IOptions<RemoteWriteOptions> options,
    RemoteWriteMetrics metrics)
    : Grain, IRemoteWriteForwarderGrain, IStreamSubscriptionObserver, IAsyncObserver<ForwardBatch>
{
    /// <summary>How long one call waits for its batch: well under Orleans' 30 s response timeout.</summary>
    public static readonly TimeSpan CallWait = TimeSpan.FromSeconds(10);

    private const int RememberedBatches = 4096;

    private readonly Dictionary<string, PendingBatch> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly Queue<string> _doneOrder = new();
    private ForwardQueue[] _queues = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        _queues = senders.Select(sender => new ForwardQueue(
            async (batch, ct) => await sender.SendAsync(batch, ct),
            o.MaxSamplesPerSend, o.BatchSendDeadline,
            delta => metrics.AddPending(sender.Name, delta))).ToArray();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Batches still queued are not lost: their Kafka offsets are not committed and HTTP callers got no 2xx.
        foreach (var queue in _queues) await queue.DisposeAsync();
    }

    public async Task<bool> ForwardAsync(ForwardBatch batch)
    {
        if (_queues.Length == 0 || _done.Contains(batch.Id)) return true;
        if (!_inFlight.TryGetValue(batch.Id, out var pending))
        {
            pending = new PendingBatch(batch.Id, batch.Series.Length * _queues.Length);
            _inFlight[batch.Id] = pending;
            foreach (var queue in _queues) queue.Enqueue(batch.Series, pending);
        }
        var completion = pending.Completion;
        if (await Task.WhenAny(completion, Task.Delay(CallWait)) != completion) return false;
        if (_inFlight.Remove(batch.Id)) Remember(batch.Id);
        return true;
    }

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<ForwardBatch>().ResumeAsync(this);

    public async Task OnNextAsync(ForwardBatch item, StreamSequenceToken? token = null)
    {
        // Failing the delivery makes the pulling agent deliver it again later, and that delivery waits for the same
        // queued batch: the offset waits for the endpoints, however long they are down.
        if (!await ForwardAsync(item))
        {
            throw new TimeoutException($"batch {item.Id} is not yet accepted by every remote-write endpoint");
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    /// <summary>A redelivery of a batch already sent (its first delivery timed out just as it finished) is a no-op.</summary>
    private void Remember(string id)
    {
        if (!_done.Add(id)) return;
        _doneOrder.Enqueue(id);
        if (_doneOrder.Count > RememberedBatches) _done.Remove(_doneOrder.Dequeue());
    }
}
