using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>What <see cref="ForwardBatchLedger.Admit"/> made of a batch.</summary>
public enum ForwardAdmission
{
    /// <summary>New: queue its series now; <see cref="ForwardBatchLedger.Completed"/> once the pending batch completes.</summary>
    Admitted,

    /// <summary>The same id is queued already: wait for that one, queue nothing.</summary>
    Joined,

    /// <summary>The same id was sent already (a late resend): nothing to do.</summary>
    Done,

    /// <summary>It does not fit under the silo's <see cref="ForwardQueueBudget"/>: not queued; the sender must come back.</summary>
    Refused,
}

/// <summary>
/// The batches one forwarder shard holds, by id: those queued (with the bytes each holds of the silo's
/// <see cref="ForwardQueueBudget"/>) and the ids of the last <see cref="RememberedBatches"/> sent. Batch ids are made
/// from their content (a hash of the HTTP request, a Kafka poll's offsets), so a resent request or a redelivered poll
/// finds its batch here and is neither queued nor sent twice. An entry leaves the queued set when its batch completes,
/// whether or not anyone still waits for it. Not thread-safe: the grain's turns are its only callers.
/// </summary>
public sealed class ForwardBatchLedger(ForwardQueueBudget budget, int rememberedBatches = ForwardBatchLedger.RememberedBatches)
{
    /// <summary>
    /// Sent ids kept per shard for resends that come after their batch completed (about 100 bytes each). A resend
    /// usually follows its 503 by the sender's backoff or <c>Retry-After</c>, seconds; one older than this many batches is
    /// sent again (a duplicate the TSDB sees, never a loss).
    /// </summary>
    public const int RememberedBatches = 8192;

    private readonly Dictionary<string, Entry> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly Queue<string> _doneOrder = new();

    /// <summary>Batches queued and not yet completed.</summary>
    public int Queued => _queued.Count;

    /// <summary>Ids of completed batches still remembered.</summary>
    public int Remembered => _done.Count;

    /// <summary>
    /// Looks <paramref name="batch"/> up by id and, when it is new, reserves its bytes — refusing it when they do not fit
    /// and <paramref name="mayRefuse"/> — and records it with a <see cref="PendingBatch"/> of <paramref name="parts"/>
    /// parts. <paramref name="pending"/> is the batch to wait for (<see cref="ForwardAdmission.Admitted"/> and
    /// <see cref="ForwardAdmission.Joined"/>), null otherwise.
    /// </summary>
    public ForwardAdmission Admit(ForwardBatch batch, int parts, bool mayRefuse, out PendingBatch? pending)
    {
        pending = null;
        if (_done.Contains(batch.Id)) return ForwardAdmission.Done;
        if (_queued.TryGetValue(batch.Id, out var entry))
        {
            pending = entry.Pending;
            return ForwardAdmission.Joined;
        }
        var bytes = ForwardQueueBudget.EstimateBytes(batch.Series);
        if (!mayRefuse) budget.Reserve(bytes);
        else if (!budget.TryReserve(bytes)) return ForwardAdmission.Refused;
        pending = new PendingBatch(batch.Id, parts);
        _queued[batch.Id] = new Entry(pending, bytes);
        return ForwardAdmission.Admitted;
    }

    /// <summary>The batch <paramref name="id"/> was sent (or dropped for good) by every endpoint: free its bytes, remember its id.</summary>
    public void Completed(string id)
    {
        if (!_queued.Remove(id, out var entry)) return;
        budget.Release(entry.Bytes);
        if (!_done.Add(id)) return;
        _doneOrder.Enqueue(id);
        while (_doneOrder.Count > rememberedBatches) _done.Remove(_doneOrder.Dequeue());
    }

    /// <summary>
    /// The queues are gone (the grain deactivates) and their batches with them, unacknowledged (Kafka offsets not
    /// committed, HTTP callers without a 2xx): free their bytes.
    /// </summary>
    public void Abandon()
    {
        foreach (var entry in _queued.Values) budget.Release(entry.Bytes);
        _queued.Clear();
    }

    private sealed record Entry(PendingBatch Pending, long Bytes);
}
