using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Grains.Wal;

public sealed partial class SiloExemplarLog
{
    /// <summary>Exemplars per replay call: bounds message size when rings are configured very large.</summary>
    private const int ReplayChunkExemplars = 20_000;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Replays every log under the root that no running silo holds into its grains, has those grains persist, and
    /// deletes the log. A grain on a silo that has just died cannot be called until membership declares that silo
    /// dead, so calls are retried until they succeed or this silo stops; the log stays until then.
    /// </summary>
    private async Task RecoverOrphansAsync(CancellationToken stopping)
    {
        foreach (var orphan in WalDirectory.ClaimOrphans(System.IO.Path.GetFullPath(_options.Directory)))
        {
            using (orphan)
            {
                var started = Stopwatch.StartNew();
                var stats = new WalReplayStats();
                var byMetric = WalRecovery.ReadByMetric(orphan.Path, storageOptions.Value.MaxExemplarsPerMetric, stats,
                    _options.MaxRecordBytes);
                foreach (var problem in stats.Problems) logger.LogWarning("WAL replay of {Directory}: {Problem}", orphan.Name, problem);
                long added = 0;
                await Parallel.ForEachAsync(byMetric, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stopping },
                    async (entry, ct) => Interlocked.Add(ref added, await ReplayMetricAsync(entry.Key, entry.Value, ct)));
                orphan.Delete();
                metrics.Recovered(stats, added, started.Elapsed);
                logger.LogInformation(
                    "Replayed WAL {Directory}: {Records} records, {Exemplars} exemplars for {Metrics} metrics, {Added} not yet in the grains' stored rings, in {Elapsed} ms",
                    orphan.Name, stats.Records, stats.Exemplars, byMetric.Count, added, started.ElapsedMilliseconds);
            }
        }
    }

    private async Task<int> ReplayMetricAsync(string metric, SeriesExemplars[] batch, CancellationToken stopping)
    {
        var grain = grains.GetGrain<IMetricGrain>(metric);
        var added = 0;
        foreach (var chunk in Chunk(batch))
        {
            added += await RetryAsync(metric, () => grain.ReplayAsync(chunk), stopping);
        }
        await RetryAsync(metric, async () => { await grain.PersistAsync(); return 0; }, stopping);
        return added;
    }

    private async Task<T> RetryAsync<T>(string metric, Func<Task<T>> call, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                if (attempt % 10 == 1) logger.LogWarning(e, "WAL replay to metric grain {Metric} failed (attempt {Attempt}); retrying", metric, attempt);
                await Task.Delay(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private static IEnumerable<SeriesExemplars[]> Chunk(SeriesExemplars[] batch)
    {
        var chunk = new List<SeriesExemplars>();
        var size = 0;
        foreach (var series in batch)
        {
            if (size > 0 && size + series.Exemplars.Length > ReplayChunkExemplars)
            {
                yield return chunk.ToArray();
                chunk.Clear();
                size = 0;
            }
            chunk.Add(series);
            size += series.Exemplars.Length;
        }
        if (chunk.Count > 0) yield return chunk.ToArray();
    }

    private void LogDisabled() => logger.LogWarning(
        "The exemplar WAL is disabled (Wal:Enabled=false): exemplars acknowledged since a ring was last persisted are lost if this silo crashes");

    private void LogOpened(string path) => logger.LogInformation("Exemplar WAL at {Directory}", path);

    private void LogClosedClean(string path) =>
        logger.LogInformation("Exemplar WAL {Directory} closed and deleted: every grain had persisted its ring", path);

    private void LogClosedDirty(string path, int dirty) => logger.LogWarning(
        "Exemplar WAL {Directory} closed with {Dirty} grains not persisted; it is replayed at the next start", path, dirty);

    private void LogOverSize(long size, long max, int owners) => logger.LogInformation(
        "Exemplar WAL at {Size} bytes exceeds Wal:MaxBytes ({Max}); asking {Owners} grains to persist now", size, max, owners);

    private void LogMaintenanceFailed(Exception e) => logger.LogError(e, "Exemplar WAL maintenance failed; retrying");
}
