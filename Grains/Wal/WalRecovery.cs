using System.IO;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// Reads a log directory left by a silo that is gone and gathers its records per metric, ready to be sent to the
/// metric grains (wherever they live now).
/// </summary>
public static class WalRecovery
{
    /// <summary>
    /// The exemplars of every metric in the log, in log order, keeping only the newest <paramref name="perMetric"/> of
    /// each: a ring of that capacity would have evicted the others anyway, and this bounds what replay holds and sends.
    /// Records that do not decode are counted in <paramref name="stats"/> and skipped.
    /// </summary>
    public static Dictionary<string, SeriesExemplars[]> ReadByMetric(string directory, int perMetric, WalReplayStats stats,
        int maxRecordBytes = int.MaxValue)
    {
        var byMetric = new Dictionary<string, Queue<(LabelSet Series, Exemplar Exemplar)>>(StringComparer.Ordinal);
        foreach (var record in WalReader.Replay(directory, stats, maxRecordBytes))
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
            if (perMetric == 0) continue;
            if (!byMetric.TryGetValue(metric, out var queue)) byMetric[metric] = queue = new Queue<(LabelSet, Exemplar)>();
            foreach (var series in batch)
            {
                foreach (var exemplar in series.Exemplars)
                {
                    if (queue.Count == perMetric) queue.Dequeue();
                    queue.Enqueue((series.Series, exemplar));
                    stats.Exemplars++;
                }
            }
        }
        return byMetric.ToDictionary(e => e.Key, e => Group(e.Value), StringComparer.Ordinal);
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
