using Orleans.Concurrency;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// The exemplars of one metric name (the grain key), kept in a ring with Prometheus' rules. Calls carry whole
/// batches: every series of a request or poll that belongs to this metric, never one exemplar per call.
/// </summary>
public interface IMetricGrain : IGrainWithStringKey
{
    /// <summary>Stores the batch with Prometheus' rules; completes once what was stored is durable (logged).</summary>
    Task<AppendResult> AppendAsync(SeriesExemplars[] batch);

    /// <summary>
    /// Puts back exemplars replayed from a write-ahead log: those already held are skipped, missing ones are restored
    /// even when older than their series' newest. Returns how many were missing, and which activation holds them.
    /// </summary>
    Task<ReplayReceipt> ReplayAsync(SeriesExemplars[] batch);

    /// <summary>
    /// Writes the ring to grain storage now if it changed since it was last written; returns the activation whose ring
    /// that is (see <see cref="ReplayReceipt.Activation"/>).
    /// </summary>
    Task<Guid> PersistAsync();

    /// <summary>
    /// The silo's exemplar budget takes exemplars back: drops up to <paramref name="max"/> of the ring's oldest (in the
    /// order it overwrites them) while their timestamp is before <paramref name="beforeMs"/>. Returns how many.
    /// </summary>
    Task<int> ShedOldestAsync(long beforeMs, int max);

    /// <summary>
    /// The catalog forgot this grain for idleness (<c>Exemplars:Retention</c>): it deletes its stored ring, lets the
    /// WAL drop its records, gives its exemplars back to the silo's budget and deactivates; its next stored exemplar
    /// registers it again. Refused (false) when this activation stored an exemplar less than
    /// <paramref name="idleAtLeast"/> ago: the grain then registers again at once, and keeps its ring.
    /// </summary>
    Task<bool> ForgetAsync(TimeSpan idleAtLeast);

    /// <summary>
    /// The series matching any of <paramref name="matcherSets"/> with their exemplars between the two times, as the
    /// JSON of the HTTP answer (the API host only copies the bytes, see <see cref="SeriesJsonBatch"/>), with what
    /// merging it needs (<paramref name="options"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<SeriesJsonBatch> SelectJsonAsync(long startMs, long endMs, LabelMatcher[][] matcherSets, SeriesJsonOptions options);
}
