using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Wal;

/// <summary>Exemplars read back from a log, per metric (grain key), in log order, ready to be sent to their grains.</summary>
public sealed class WalReplayBatch(Dictionary<string, SeriesExemplars[]> byMetric, int exemplars)
{
    public IReadOnlyDictionary<string, SeriesExemplars[]> ByMetric { get; } = byMetric;

    public int Exemplars { get; } = exemplars;
}

/// <summary>
/// Reads a log directory (one left by a silo that is gone, or part of this silo's own) and hands its exemplars over in
/// bounded batches: a log of any size is replayed with at most <c>maxExemplars</c> of them in memory.
/// </summary>
public static class WalRecovery
{
    /// <summary>
    /// The exemplars of the log in batches of at most <paramref name="maxExemplars"/>, grouped per metric, in log order
    /// within each metric and from batch to batch (send one batch's before the next's and each grain sees its own in
    /// log order). Within a batch only the newest <paramref name="perMetric"/> of a metric are kept: a ring of that
    /// capacity would evict the others anyway. Records that do not decode are counted in <paramref name="stats"/> and
    /// skipped; <paramref name="include"/> (metric, LSN) picks records when only some are wanted.
    /// </summary>
    public static IEnumerable<WalReplayBatch> ReadBatches(string directory, int perMetric, int maxExemplars, WalReplayStats stats,
        int maxRecordBytes = int.MaxValue, Func<string, long, bool>? include = null, long fromLsn = 0, long untilLsn = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExemplars, 1);
        var held = new Dictionary<string, Queue<(LabelSet Series, Exemplar Exemplar)>>(StringComparer.Ordinal);
        var count = 0;
        foreach (var record in WalReader.Replay(directory, stats, maxRecordBytes, fromLsn, untilLsn))
        {
            string metric;
            SeriesExemplars[] batch;
            try
            {
                (metric, batch) = WalExemplarRecord.Decode(record.Payload);
            }
            catch (WalRecordFormatException e)
            {
                stats.UndecodableRecords++;
                stats.Problems.Add($"{Path.GetFileName(directory)}: record at {record.Lsn} does not decode: {e.Message}");
                continue;
            }
            if (perMetric == 0 || (include is not null && !include(metric, record.Lsn))) continue;
            foreach (var series in batch)
            {
                foreach (var exemplar in series.Exemplars)
                {
                    if (!held.TryGetValue(metric, out var queue)) held[metric] = queue = new Queue<(LabelSet, Exemplar)>();
                    stats.Exemplars++;
                    if (queue.Count == perMetric) queue.Dequeue();
                    else count++;
                    queue.Enqueue((series.Series, exemplar));
                    if (count < maxExemplars) continue;
                    yield return Flush(held, count, stats);
                    count = 0;
                }
            }
        }
        if (count > 0) yield return Flush(held, count, stats);
    }

    private static WalReplayBatch Flush(Dictionary<string, Queue<(LabelSet, Exemplar)>> held, int count, WalReplayStats stats)
    {
        stats.Batches++;
        stats.PeakHeldExemplars = Math.Max(stats.PeakHeldExemplars, count);
        var batch = new WalReplayBatch(held.ToDictionary(e => e.Key, e => Group(e.Value), StringComparer.Ordinal), count);
        held.Clear();
        return batch;
    }

    /// <summary>Consecutive exemplars of the same series become one entry, keeping the log order.</summary>
    private static SeriesExemplars[] Group(IEnumerable<(LabelSet Series, Exemplar Exemplar)> entries)
    {
        var result = new List<SeriesExemplars>();
        LabelSet? current = null;
        var run = new List<Exemplar>();
        foreach (var (series, exemplar) in entries)
        {
            if (current is not null && !current.Equals(series))
            {
                result.Add(new SeriesExemplars(current, run.ToArray()));
                run.Clear();
            }
            current = series;
            run.Add(exemplar);
        }
        if (current is not null) result.Add(new SeriesExemplars(current, run.ToArray()));
        return result.ToArray();
    }
}
