using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// A crashed silo's log of many segments (written by the real WAL code) appears under a running silo's WAL root: it
/// is replayed completely, while replay holds at most <c>Wal:ReplayBatchExemplars</c> exemplars at once.
/// </summary>
public sealed class WalReplayMemoryTests(ITestOutputHelper output)
{
    private const int Metrics = 200;
    private const int SeriesPerMetric = 20;
    private const int Rounds = 100;
    private const int BatchBound = 5_000;

    [Fact]
    public async Task A_large_log_replays_completely_in_bounded_batches()
    {
        var root = Directory.CreateTempSubdirectory("oe-replay-wal-").FullName;
        try
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Wal:Directory"] = root,
                ["Wal:ReplayBatchExemplars"] = BatchBound.ToString(),
                ["Wal:OrphanScanInterval"] = "00:00:00.200",
            });
            using var meters = new MeterRecorder(system.SiloServices().GetRequiredService<IMeterFactory>(), WalMetrics.MeterName);

            var (orphan, bytes, segments) = await WriteCrashedLogAsync(root);
            output.WriteLine($"crashed log: {(long)Metrics * SeriesPerMetric * Rounds:N0} exemplars, {bytes / 1e6:N1} MB in {segments} segments");

            // Replay starts within a scan interval; sample the managed heap until the log is gone.
            long peakHeap = 0;
            var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
            var clock = Stopwatch.StartNew();
            var replayed = await KafkaTestData.EventuallyAsync(() =>
            {
                peakHeap = Math.Max(peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                return Task.FromResult(!Directory.Exists(orphan));
            }, TimeSpan.FromMinutes(5));
            Assert.True(replayed, "the crashed silo's log was not replayed within 5 minutes");
            output.WriteLine($"replayed in {clock.Elapsed.TotalSeconds:0.0} s; managed heap {heapBefore / 1e6:N0} MB before, " +
                             $"peak {peakHeap / 1e6:N0} MB during (the test process: cluster, rings and API host included)");

            var body = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"replay\"}"));
            long answered = 0;
            for (var at = body.IndexOf("\"trace_id\"", StringComparison.Ordinal); at >= 0; at = body.IndexOf("\"trace_id\"", at + 1, StringComparison.Ordinal))
            {
                answered++;
            }
            Assert.Equal((long)Metrics * SeriesPerMetric * Rounds, answered);

            var largest = meters.Max("oe_wal_replay_batch_exemplars");
            var batches = meters.Count("oe_wal_replay_batch_exemplars");
            output.WriteLine($"replay batches: {batches}, largest {largest} exemplars (bound {BatchBound})");
            Assert.NotNull(largest);
            Assert.True(largest <= BatchBound, $"a replay batch held {largest} exemplars, more than Wal:ReplayBatchExemplars={BatchBound}");
            Assert.True(batches >= Metrics * SeriesPerMetric * Rounds / BatchBound);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>What a silo killed after acknowledging everything leaves behind: a log of 1 MiB segments nobody holds.</summary>
    private static async Task<(string Path, long Bytes, int Segments)> WriteCrashedLogAsync(string root)
    {
        var directory = WalDirectory.Create(root);
        await using (var wal = ExemplarWal.Open(new WalOptions { Directory = root, SegmentBytes = 1024 * 1024 }, directory.Path))
        {
            var series = Enumerable.Range(0, Metrics).Select(m => Enumerable.Range(0, SeriesPerMetric)
                .Select(s => LabelSet.From(("__name__", $"replay_metric_{m}"), ("job", "replay"), ("instance", $"host-{s}:9100")))
                .ToArray()).ToArray();
            for (var r = 0; r < Rounds; r++)
            {
                await Task.WhenAll(Enumerable.Range(0, Metrics).Select(m => wal.AppendAsync(WalExemplarRecord.Encode($"replay_metric_{m}",
                    series[m].Select((s, i) => new SeriesExemplars(s,
                        [new Exemplar(LabelSet.From(("trace_id", $"{r:x8}{m:x8}{i:x16}")), r, 1_700_000_000_000 + r * 1000L, true)])).ToArray()))));
            }
        }
        var bytes = WalSegments.List(directory.Path).Sum(s => new FileInfo(s.Path).Length);
        var segments = WalSegments.List(directory.Path).Count;
        directory.Dispose(); // the process is gone: its lock with it
        return (directory.Path, bytes, segments);
    }
}
