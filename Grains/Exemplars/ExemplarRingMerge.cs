using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// Puts exemplars replayed from a write-ahead log back into a ring that may already hold some of them (restored from
/// a snapshot written after they were logged) and newer ones (ingested since the restart): the one place where an
/// exemplar older than its series' newest is accepted, because it was accepted once before.
/// </summary>
/// <remarks>
/// Replay is idempotent: an exemplar already stored is skipped. One that is newer than its series' newest is appended
/// as ingest would, unless the ring is full and it is older than the ring's oldest entry. One that is older and missing makes the ring be rebuilt from all its entries plus the missing
/// ones in timestamp order (stable, so equal timestamps keep their order), which keeps the newest
/// <see cref="ExemplarRing.Capacity"/> of them: an exemplar that had been evicted before the snapshot is evicted again
/// rather than resurrected.
/// </remarks>
public static class ExemplarRingMerge
{
    /// <summary>
    /// Replayed exemplars were accepted once: those of a native-histogram series may share a timestamp, and the log does
    /// not say which series those were. For float series, whose stored exemplars never share one, the rule changes nothing.
    /// </summary>
    private const ExemplarOrder Order = ExemplarOrder.SameTimestampByValue;

    /// <returns>The ring holding the union (<paramref name="ring"/> itself unless a rebuild was needed) and how many
    /// replayed exemplars it did not hold before.</returns>
    public static (ExemplarRing Ring, int Added) Merge(ExemplarRing ring, IEnumerable<SeriesExemplars> replayed)
    {
        if (ring.Capacity == 0) return (ring, 0);
        var added = 0;
        HashSet<EntryKey>? present = null;
        List<(LabelSet Series, Exemplar Exemplar)>? missing = null;
        foreach (var series in replayed)
        {
            foreach (var exemplar in series.Exemplars)
            {
                switch (ring.Validate(series.Series, exemplar, Order))
                {
                    case AppendOutcome.Appended when ring.Count == ring.Capacity && exemplar.TimestampMs < ring.OldestEntryTimestampMs:
                        // Older than everything a full ring holds: it was evicted before the ring was persisted.
                        break;
                    case AppendOutcome.Appended:
                        ring.Append(series.Series, exemplar, Order);
                        present?.Add(EntryKey.Of(series.Series, exemplar));
                        added++;
                        break;
                    case AppendOutcome.OutOfOrder:
                        present ??= ring.EntriesOldestFirst().Select(e => EntryKey.Of(e.Series, e.Exemplar)).ToHashSet();
                        if (present.Add(EntryKey.Of(series.Series, exemplar)))
                        {
                            (missing ??= []).Add((series.Series, exemplar));
                        }
                        break;
                    // Duplicates are stored already; too-long label sets were never stored.
                }
            }
        }
        if (missing is null) return (ring, added);

        var rebuilt = new ExemplarRing(ring.Capacity);
        foreach (var (series, exemplar) in ring.EntriesOldestFirst().Concat(missing).OrderBy(e => e.Item2.TimestampMs))
        {
            rebuilt.Append(series, exemplar, Order);
        }
        return (rebuilt, added + missing.Count);
    }

    private readonly record struct EntryKey(LabelSet Series, LabelSet Labels, long TimestampMs, long ValueBits)
    {
        public static EntryKey Of(LabelSet series, in Exemplar e) =>
            new(series, e.Labels, e.TimestampMs, BitConverter.DoubleToInt64Bits(e.Value));
    }
}
