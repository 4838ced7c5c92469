using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// A two-silo cluster whose grain storage (file storage on a real tmpfs) turns read-only while metric grains hold
/// exemplars only their silo's WAL has, and the grains are deactivated then: they cannot write their rings. Their next
/// activations (on either silo) load the older snapshot. The exemplars must come back without a restart, the WALs
/// must shrink once everything is written, and a restart must still answer everything once.
/// </summary>
public sealed class WalRehomingTests(ITestOutputHelper output)
{
    private const int Metrics = 12;
    private const int SeriesPerMetric = 20;

    [Fact]
    public async Task Exemplars_of_activations_that_could_not_write_their_rings_come_back_and_the_logs_then_shrink()
    {
        using var storage = TmpfsMount.Create("64m");
        var walRoot = Directory.CreateTempSubdirectory("oe-rehome-wal-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Storage:File:Directory"] = storage.Path,
            ["Wal:Directory"] = walRoot,
            ["Wal:SegmentBytes"] = "4096",
            ["Wal:CheckpointInterval"] = "00:00:00.100",
            ["Exemplars:PersistInterval"] = "00:00:01",
        };
        try
        {
            var expected = new List<string>();
            await using (var system = await ExemplarSystem.StartAsync(silos: 2, settings: settings))
            {
                var management = system.Client.GetGrain<IManagementGrain>(0);
                var silos = Enumerable.Range(0, 2).Select(i => system.SiloServices(i).GetRequiredService<ILocalSiloDetails>().SiloAddress).ToList();
                var grains = Enumerable.Range(0, Metrics).Select(m => system.Client.GetGrain<IMetricGrain>(Metric(m))).ToList();

                using var rehomed = new MeterRecorder(system.SiloServices(0).GetRequiredService<IMeterFactory>(), WalMetrics.MeterName);
                using var rehomedOther = new MeterRecorder(system.SiloServices(1).GetRequiredService<IMeterFactory>(), WalMetrics.MeterName);

                // Written while storage works (one request: ~20 kB of WAL records over several segments), then storage
                // turns read-only before the rings are written behind (1 s).
                expected.AddRange(await WriteAsync(system, 0, 1));
                storage.RemountReadOnly();
                var before = await Task.WhenAll(grains.Select(g => management.GetActivationAddress(g).AsTask()));
                foreach (var grain in grains) await system.DeactivateAsync(grain); // each fails to write its ring
                storage.RemountWritable();

                // New activations, from the older (here: no) snapshot, on whichever silo placement picks.
                expected.AddRange(await WriteAsync(system, 1, 5));
                var after = await Task.WhenAll(grains.Select(g => management.GetActivationAddress(g).AsTask()));
                var moved = Enumerable.Range(0, Metrics).Count(m => !Equals(before[m], after[m]));
                output.WriteLine($"{moved} of {Metrics} grains came back on the other silo, {Metrics - moved} on the same one");

                List<string> found = [];
                var back = await KafkaTestData.EventuallyAsync(async () =>
                {
                    found = await QueryTraceIdsAsync(system.Http);
                    return found.Count >= expected.Count;
                }, TimeSpan.FromSeconds(60));
                var missing = expected.Except(found).ToList();
                Assert.True(back && missing.Count == 0, $"{missing.Count} acknowledged exemplars not answered, e.g. {string.Join(", ", missing.Take(6))}");
                var rehomedActivations = rehomed.Sum("oe_wal_rehomed_activations") + rehomedOther.Sum("oe_wal_rehomed_activations");
                output.WriteLine($"{rehomedActivations} ended activations' records replayed into the live ones");
                Assert.True(rehomedActivations > 0);

                // Everything is written now: no silo's log is pinned by an activation that is gone.
                var logs = silos.Select((_, i) => system.SiloServices(i).GetRequiredService<SiloExemplarWal>().DirectoryPath!).ToList();
                var shrunk = await KafkaTestData.EventuallyAsync(() => Task.FromResult(logs.All(l => WalSegments.List(l).Count == 1)),
                    TimeSpan.FromSeconds(60));
                output.WriteLine("segments per silo log: " + string.Join(", ", logs.Select(l => $"{WalSegments.List(l).Count} ({Size(l)} B)")));
                Assert.True(shrunk, "a silo's WAL kept segments whose records are all written: " +
                                    string.Join(", ", logs.Select(l => $"{WalSegments.List(l).Count} segments, {Size(l)} B")));
            }

            // And after a restart, from storage alone (the logs were deleted on the graceful stop): everything, once.
            await using (var restarted = await ExemplarSystem.StartAsync(silos: 2, settings: settings))
            {
                List<string> found = [];
                await KafkaTestData.EventuallyAsync(async () =>
                {
                    found = await QueryTraceIdsAsync(restarted.Http);
                    return found.Count >= expected.Count;
                }, TimeSpan.FromSeconds(60));
                Assert.Equal(expected.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(walRoot, recursive: true);
        }
    }

    private static string Metric(int m) => $"rehome_metric_{m}";

    private static long Size(string log) => WalSegments.List(log).Sum(s => new FileInfo(s.Path).Length);

    private static async Task<List<string>> WriteAsync(ExemplarSystem system, int first, int count)
    {
        var traceIds = new List<string>();
        for (var r = first; r < first + count; r++)
        {
            var series = Enumerable.Range(0, Metrics).SelectMany(m => Enumerable.Range(0, SeriesPerMetric).Select(s =>
                Series(("__name__", Metric(m)), ("job", "rehome"), ("series", s.ToString()))
                    .WithSample(r, 1_000_000 + r * 1000L)
                    .WithExemplar(r, 1_000_000 + r * 1000L, ("trace_id", $"r{r}-m{m}-s{s}")))).ToArray();
            using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            traceIds.AddRange(Enumerable.Range(0, Metrics).SelectMany(m => Enumerable.Range(0, SeriesPerMetric).Select(s => $"r{r}-m{m}-s{s}")));
        }
        return traceIds;
    }

    private static async Task<List<string>> QueryTraceIdsAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"rehome\"}"));
        if (response.StatusCode != HttpStatusCode.OK) return [];
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
            .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!)
            .ToList();
    }
}
