using Orleans.Concurrency;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// The exemplars of one metric name (the grain key), kept in a ring with Prometheus' rules. Calls carry whole
/// batches: every series of a request or poll that belongs to this metric, never one exemplar per call.
/// </summary>
public interface IMetricGrain : IGrainWithStringKey
{
    Task<AppendResult> AppendAsync(SeriesExemplars[] batch);

    [AlwaysInterleave]
    Task<SeriesExemplars[]> SelectAsync(long startMs, long endMs, LabelMatcher[][] matcherSets);
}
