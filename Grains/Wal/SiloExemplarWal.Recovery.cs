using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Wal;

public sealed partial class SiloExemplarWal
{
    /// <summary>Exemplars per replay call: bounds message size when rings are configured very large.</summary>
    private const int ReplayChunkExemplars = 20_000;

    /// <summary>Replay and persist calls a replay has in flight at once.</summary>
    private const int ReplayCallsInFlight = 16;

    /// <summary>Attempts per grain call when re-homing records of this silo's own log: a failure is retried on a later round.</summary>
    private const int RehomeAttempts = 3;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRehomeDelay = TimeSpan.FromSeconds(30);

    private DateTime _rehomeRetryAt = DateTime.MinValue;
    private TimeSpan _rehomeDelay = TimeSpan.Zero;

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
                var result = await ReplayAsync(orphan.Path, include: null, 0, long.MaxValue, stats, int.MaxValue, stopping);
                foreach (var problem in stats.Problems) LogReplayProblem(orphan.Name, problem);
                DeleteDirectory(orphan);
                metrics.Recovered(stats, result.Added, started.Elapsed);
                LogReplayed(orphan.Name, stats, result, started.ElapsedMilliseconds);
            }
        }
    }

    /// <summary>
    /// Replays the records of owners that ended without persisting from this silo's own log into their grains' live
    /// activations (here or on another silo), has those persist, and lets the log drop the records. Retried with
    /// backoff while a grain cannot be reached or cannot write (storage down); the records stay pinned until then.
    /// </summary>
    private async Task RehomeAsync(CancellationToken stopping)
    {
        var wal = _wal;
        if (wal is null || DateTime.UtcNow < _rehomeRetryAt) return;
        var orphaned = _checkpoints.Orphaned();
        if (orphaned.Count == 0) return;
        var ranges = orphaned.GroupBy(o => o.Owner.Metric, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(o => (o.FirstLsn, o.EndLsn)).ToArray(), StringComparer.Ordinal);
        bool Include(string metric, long lsn) =>
            ranges.TryGetValue(metric, out var owned) && owned.Any(r => r.FirstLsn <= lsn && lsn < r.EndLsn);
        var stats = new WalReplayStats();
        try
        {
            var result = await ReplayAsync(wal.Directory, Include, orphaned.Min(o => o.FirstLsn), orphaned.Max(o => o.EndLsn), stats,
                RehomeAttempts, stopping);
            foreach (var range in orphaned) _checkpoints.Rehomed(range);
            _rehomeDelay = TimeSpan.Zero;
            metrics.Rehomed(orphaned.Count);
            LogRehomed(orphaned.Count, stats.Exemplars, result.Added);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            _rehomeDelay = TimeSpan.FromTicks(Math.Clamp(_rehomeDelay.Ticks * 2, _options.CheckpointInterval.Ticks, MaxRehomeDelay.Ticks));
            _rehomeRetryAt = DateTime.UtcNow + _rehomeDelay;
            LogRehomeFailed(e, orphaned.Count, _rehomeDelay);
        }
    }

    private readonly record struct ReplayResult(long Added, int Grains);

    /// <summary>
    /// Sends the exemplars of the log (those <paramref name="include"/> picks) to their grains batch by batch, then has
    /// every grain it reached write its ring. A grain whose activation changed on the way may have lost what the earlier
    /// one merged (if that one could not write its ring when it went): its exemplars are sent again, read from the log
    /// again, until one activation took them all and wrote them.
    /// </summary>
    private async Task<ReplayResult> ReplayAsync(string directory, Func<string, long, bool>? include, long fromLsn, long untilLsn,
        WalReplayStats stats, int attempts, CancellationToken stopping)
    {
        long added = 0;
        var grainsReached = -1;
        while (true)
        {
            var (passAdded, reached, unsettled) = await ReplayPassAsync(directory, include, fromLsn, untilLsn, stats, attempts, stopping);
            added += passAdded;
            if (grainsReached < 0) grainsReached = reached;
            if (unsettled.Count == 0) return new ReplayResult(added, grainsReached);
            LogActivationsChanged(System.IO.Path.GetFileName(directory), unsettled.Count);
            var previous = include;
            include = (metric, lsn) => unsettled.Contains(metric) && (previous is null || previous(metric, lsn));
            stats = new WalReplayStats(); // the first pass counted the log's records and problems
        }
    }

    private async Task<(long Added, int Grains, HashSet<string> Unsettled)> ReplayPassAsync(string directory,
        Func<string, long, bool>? include, long fromLsn, long untilLsn, WalReplayStats stats, int attempts, CancellationToken stopping)
    {
        var activations = new ConcurrentDictionary<string, Guid>(StringComparer.Ordinal);
        var unsettled = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ReplayCallsInFlight, CancellationToken = stopping };
        using var calls = new SemaphoreSlim(ReplayCallsInFlight);
        long added = 0;

        // A grain's sends are chained (each waits for its previous one), so it gets its exemplars in log order; other
        // grains' go on meanwhile, and the next batch is read while this one is still being delivered. Never more
        // than two batches are in memory: reading waits for the one before the last to be delivered.
        var previousSend = new Dictionary<string, Task>(StringComparer.Ordinal);
        var delivering = new Queue<Task>();
        async Task SendAsync(string metric, SeriesExemplars[] series, Task? previous)
        {
            if (previous is not null) await previous;
            var grain = grains.GetGrain<IMetricGrain>(metric);
            foreach (var chunk in Chunk(series))
            {
                await calls.WaitAsync(stopping);
                ReplayReceipt receipt;
                try
                {
                    receipt = await RetryAsync(metric, () => grain.ReplayAsync(chunk), attempts, stopping);
                }
                finally
                {
                    calls.Release();
                }
                Interlocked.Add(ref added, receipt.Added);
                if (activations.GetOrAdd(metric, receipt.Activation) != receipt.Activation) unsettled[metric] = true;
            }
        }

        foreach (var batch in WalRecovery.ReadBatches(directory, storageOptions.Value.MaxExemplarsPerMetric, _options.ReplayBatchExemplars,
                     stats, _options.MaxRecordBytes, include, fromLsn, untilLsn))
        {
            metrics.ReplayBatch(batch.Exemplars);
            var sends = new List<Task>(batch.ByMetric.Count);
            foreach (var (metric, series) in batch.ByMetric)
            {
                var send = SendAsync(metric, series, previousSend.GetValueOrDefault(metric));
                sends.Add(send);
                // Chained through a continuation: a finished async method's task keeps its arguments (this batch's
                // exemplars) alive, a finished continuation nothing. A failed send fails its batch, which ends the pass.
                previousSend[metric] = send.ContinueWith(static _ => { }, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            delivering.Enqueue(Task.WhenAll(sends));
            if (delivering.Count >= 2) await delivering.Dequeue();
        }
        while (delivering.Count > 0) await delivering.Dequeue();
        await Parallel.ForEachAsync(activations, parallel, async (entry, ct) =>
        {
            var live = await RetryAsync(entry.Key, () => grains.GetGrain<IMetricGrain>(entry.Key).PersistAsync(), attempts, ct);
            if (live != entry.Value) unsettled[entry.Key] = true;
        });
        return (added, activations.Count, unsettled.Keys.ToHashSet(StringComparer.Ordinal));
    }

    private async Task<T> RetryAsync<T>(string metric, Func<Task<T>> call, int attempts, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && attempt < attempts)
            {
                if (attempt % 10 == 1) LogReplayCallFailed(e, metric, attempt);
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
}
