using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Tests.Sharding;

/// <summary>
/// Merges the answers of several metric grains into Prometheus' answer: series sorted by labels, each series'
/// exemplars oldest → newest. A series normally lives in one grain; it is found in two only across a change of shard
/// count (old exemplars stay in the grain of the old count). Then both parts are interleaved by timestamp and an
/// exemplar found in both (a redelivered Kafka batch, a resent request) is kept once, as one ring would have kept it.
/// </summary>
public static class ShardedResultMerger
{
    /// <param name="answers">One array per grain, in a fixed grain order (ties between grains keep that order).</param>
    public static List<SeriesExemplars> Merge(IEnumerable<SeriesExemplars[]> answers)
    {
        var bySeries = new Dictionary<LabelSet, List<SeriesExemplars>>();
        foreach (var answer in answers)
        {
            foreach (var series in answer)
            {
                if (!bySeries.TryGetValue(series.Series, out var parts)) bySeries[series.Series] = parts = [];
                parts.Add(series);
            }
        }
        var merged = new List<SeriesExemplars>(bySeries.Count);
        foreach (var parts in bySeries.Values)
        {
            merged.Add(parts.Count == 1 ? parts[0] : Combine(parts));
        }
        merged.Sort(static (a, b) => a.Series.CompareTo(b.Series));
        return merged;
    }

    private static SeriesExemplars Combine(List<SeriesExemplars> parts)
    {
        // OrderBy is stable: equal timestamps keep the grain order, so the answer does not depend on reply order.
        var ordered = parts.SelectMany(p => p.Exemplars).OrderBy(e => e.TimestampMs).ToList();
        var kept = new List<Exemplar>(ordered.Count);
        foreach (var e in ordered)
        {
            // Sorted by time, so a twin can only be among the kept ones with the same timestamp, at the end.
            var twin = false;
            for (var i = kept.Count - 1; i >= 0 && kept[i].TimestampMs == e.TimestampMs && !twin; i--) twin = IsSame(kept[i], e);
            if (!twin) kept.Add(e);
        }
        return new SeriesExemplars(parts[0].Series, [.. kept]);
    }

    /// <summary>Bit-for-bit the same exemplar (unlike <see cref="Exemplar.IsDuplicateOf"/>, NaN equals NaN here).</summary>
    private static bool IsSame(in Exemplar a, in Exemplar b) =>
        a.HasTimestamp == b.HasTimestamp && BitConverter.DoubleToInt64Bits(a.Value) == BitConverter.DoubleToInt64Bits(b.Value) &&
        a.Labels.Equals(b.Labels);
}
