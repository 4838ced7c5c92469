using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Grains;
using OrleansExemplars.Grains.Budget;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// <c>Exemplars:Retention</c> as a user sees it, on a real in-process cluster with file grain storage: a metric that
/// stops receiving exemplars leaves name-less and label-only queries, its stored ring file is deleted, and it comes back
/// as new when written again; a metric written all along keeps every exemplar. Also across a cluster restart, against
/// a crashed silo's log still holding a forgotten metric's records, per shard of a sharded metric, and without a
/// storage write per append.
/// </summary>
public sealed class MetricRetentionTests(ITestOutputHelper output)
{
    private const string Job = "retention";

    private long _timestamp = 1_700_000_000_000;

    [Fact]
    public async Task An_idle_metric_leaves_queries_and_storage_a_live_one_keeps_everything_and_a_new_write_brings_it_back()
    {
        var retention = TimeSpan.FromSeconds(5); // long enough that a loaded CI machine never stalls a live writer past it
        var storage = Directory.CreateTempSubdirectory("oe-retention-grains-").FullName;
        try
        {
            await using var system = await StartAsync(storage, retention);
            using var grainMeters = new MeterRecorder(system.SiloServices().GetRequiredService<IMeterFactory>(), IngestMetrics.MeterName);
            using var storageMeters = new MeterRecorder(system.SiloServices().GetRequiredService<IMeterFactory>(), GrainStorageMetrics.MeterName);

            await WriteAsync(system, ("live_a", "a0"), ("idle_b", "b0"), ("idle_b", "b1"), ("idle_b", "b2"));
            var idleSince = Stopwatch.StartNew();
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(RingFile(storage, "idle_b") is not null), TimeSpan.FromSeconds(5)),
                "idle_b's ring was never written behind");
            Assert.Contains("idle_b", (await QueryAsync(system, "{__name__=~\".+\"}")).Select(e => e.Metric));

            // live_a keeps receiving exemplars, idle_b none, until idle_b has left the name-less query.
            var written = new List<string> { "a0" };
            TimeSpan? goneAfter = null;
            var deadline = retention * 3;
            while (idleSince.Elapsed < deadline)
            {
                var id = $"a{written.Count}";
                await WriteAsync(system, ("live_a", id));
                written.Add(id);
                if ((await QueryAsync(system, "{__name__=~\".+\"}")).All(e => e.Metric != "idle_b"))
                {
                    goneAfter = idleSince.Elapsed;
                    break;
                }
                await Task.Delay(100);
            }
            Assert.True(goneAfter is not null, $"idle_b was still answered {deadline} after its last exemplar (retention {retention})");
            output.WriteLine($"idle_b left the catalog {goneAfter.Value.TotalSeconds:0.00} s after its last exemplar (retention {retention.TotalSeconds} s)");
            Assert.True(goneAfter >= retention, $"idle_b was forgotten after {goneAfter}, before the retention ({retention})");
            // Retention + report interval (Retention/10) + sweep interval (1 s here), plus the test's own polling.
            Assert.True(goneAfter <= retention + retention / 10 + TimeSpan.FromSeconds(2), $"idle_b was forgotten only after {goneAfter}");

            Assert.DoesNotContain("idle_b", (await QueryAsync(system, $"{{job=\"{Job}\"}}")).Select(e => e.Metric));
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(RingFile(storage, "idle_b") is null), TimeSpan.FromSeconds(5)),
                "idle_b's ring file is still in grain storage");
            // Named, it is asked directly: nothing is left in it.
            Assert.Empty(await QueryAsync(system, "idle_b"));
            Assert.Equal(written, (await QueryAsync(system, "live_a")).Select(e => e.TraceId));
            Assert.NotNull(RingFile(storage, "live_a"));

            // The silo's ring gauges and budget no longer count its exemplars.
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(
                system.SiloServices().GetRequiredService<ExemplarBudget>().Used == written.Count), TimeSpan.FromSeconds(5)),
                $"budget use {system.SiloServices().GetRequiredService<ExemplarBudget>().Used}, live_a holds {written.Count}");
            Assert.Equal(written.Count, grainMeters.Sum("oe_ring_exemplars"));
            Assert.Equal(1, grainMeters.Sum("oe_catalog_metrics_expired"));
            Assert.Equal(1, storageMeters.Sum("oe_grain_state_clears", ("state", "ring")));
            Assert.Equal(1, grainMeters.Observe("oe_catalog_metrics"));

            // Written again, it registers as new: found with its new exemplar only.
            await WriteAsync(system, ("idle_b", "b-again"));
            var all = await QueryAsync(system, "{__name__=~\".+\"}");
            Assert.Equal(["b-again"], all.Where(e => e.Metric == "idle_b").Select(e => e.TraceId));
            Assert.Equal(written, all.Where(e => e.Metric == "live_a").Select(e => e.TraceId));
            Assert.Equal(2, grainMeters.Observe("oe_catalog_metrics"));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task A_grain_that_just_stored_an_exemplar_refuses_to_be_forgotten_and_keeps_it()
    {
        var storage = Directory.CreateTempSubdirectory("oe-retention-grains-").FullName;
        try
        {
            await using var system = await StartAsync(storage, TimeSpan.FromHours(1));
            await WriteAsync(system, ("racing_metric", "r0"));
            var grain = system.Client.GetGrain<IMetricGrain>("racing_metric");

            // The catalog's sweep decided on an older last-seen time, and this append got in first: refused, kept.
            Assert.False(await grain.ForgetAsync(TimeSpan.FromHours(1)));
            await WriteAsync(system, ("racing_metric", "r1"));
            Assert.Equal(["r0", "r1"], (await QueryAsync(system, "{__name__=~\"racing_.*\"}")).Select(e => e.TraceId));
            Assert.NotNull(await system.Client.Shard("racing_metric").GetLayoutAsync("racing_metric"));
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(RingFile(storage, "racing_metric") is not null), TimeSpan.FromSeconds(5)));

            // Idle for long enough: it deletes its ring and file; its next exemplar starts afresh.
            Assert.True(await grain.ForgetAsync(TimeSpan.Zero));
            Assert.Null(RingFile(storage, "racing_metric"));
            Assert.Empty(await QueryAsync(system, "racing_metric"));
            await WriteAsync(system, ("racing_metric", "r2"));
            Assert.Equal(["r2"], (await QueryAsync(system, "racing_metric")).Select(e => e.TraceId));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task On_azure_blob_storage_a_forgotten_metrics_ring_blob_is_deleted()
    {
        const string container = "retention-test";
        var retention = TimeSpan.FromSeconds(4); // long enough that a loaded CI machine never stalls a live writer past it
        await using var azurite = await AzuriteServer.StartAsync();
        await using var system = await StartAsync(storage: null, retention, settings: new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            ["Storage:AzureBlob:ContainerName"] = container,
        });
        var blobs = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container);
        async Task<List<string>> RingBlobsAsync()
        {
            var names = new List<string>();
            await foreach (var blob in blobs.GetBlobsAsync()) names.Add(blob.Name);
            return names.Where(n => n.StartsWith("ring-", StringComparison.Ordinal)).ToList();
        }

        await WriteAsync(system, ("blob_live", "a0"), ("blob_idle", "b0"));
        Assert.True(await KafkaTestData.EventuallyAsync(async () => (await RingBlobsAsync()).Count(n => n.Contains("blob_")) == 2, TimeSpan.FromSeconds(5)),
            "the rings were never written behind: " + string.Join(", ", await RingBlobsAsync()));
        var live = 1;
        Assert.True(await KafkaTestData.EventuallyAsync(async () =>
        {
            await WriteAsync(system, ("blob_live", $"a{live++}"));
            return (await RingBlobsAsync()).All(n => !n.Contains("blob_idle"));
        }, retention * 4), "blob_idle's ring blob is still there: " + string.Join(", ", await RingBlobsAsync()));
        Assert.Contains(await RingBlobsAsync(), n => n.Contains("blob_live"));
        Assert.DoesNotContain("blob_idle", (await QueryAsync(system, "{__name__=~\".+\"}")).Select(e => e.Metric));
        Assert.Equal(live, (await QueryAsync(system, "blob_live")).Count);
    }

    [Fact]
    public async Task After_a_restart_the_catalog_still_knows_when_each_metric_was_last_seen()
    {
        var retention = TimeSpan.FromSeconds(10);
        var storage = Directory.CreateTempSubdirectory("oe-retention-grains-").FullName;
        var wal = Directory.CreateTempSubdirectory("oe-retention-wal-").FullName;
        try
        {
            var idleWhileDown = Stopwatch.StartNew();
            await using (var first = await StartAsync(storage, retention, wal))
            {
                await WriteAsync(first, ("live_a", "a0"), ("gone_b", "b0"), ("stale_c", "c0"));
                var bIdle = Stopwatch.StartNew();
                // gone_b expires in this run; stale_c is written until 6 s before the stop, live_a until the stop.
                var wrote = 1;
                while (bIdle.Elapsed < retention * 2)
                {
                    await WriteAsync(first, ("live_a", $"a{wrote}"), ("stale_c", $"c{wrote}"));
                    wrote++;
                    if ((await QueryAsync(first, "{__name__=~\".+\"}")).All(e => e.Metric != "gone_b")) break;
                    await Task.Delay(250);
                }
                Assert.DoesNotContain("gone_b", (await QueryAsync(first, "{__name__=~\".+\"}")).Select(e => e.Metric));
                idleWhileDown.Restart();
                // By the clock, not by a count of writes: on a loaded machine each write may take a while, and
                // stale_c must still be well inside its retention (10 s + a sweep) when it is checked below.
                while (idleWhileDown.Elapsed < retention * 0.6)
                {
                    await WriteAsync(first, ("live_a", $"a{wrote++}"));
                    await Task.Delay(250);
                }
                var metrics = (await QueryAsync(first, "{__name__=~\".+\"}")).Select(e => e.Metric).ToHashSet();
                Assert.Contains("stale_c", metrics); // idle for 6 s of 10: still kept
                Assert.Contains("live_a", metrics);
            } // graceful stop: catalog shards and rings are written

            var restart = Stopwatch.StartNew();
            await using var second = await StartAsync(storage, retention, wal);
            output.WriteLine($"restarted in {restart.Elapsed.TotalSeconds:0.0} s; stale_c idle for {idleWhileDown.Elapsed.TotalSeconds:0.0} s");
            var started = Stopwatch.StartNew();
            await WriteAsync(second, ("live_a", "after-restart"));
            // The expired one stays expired.
            Assert.DoesNotContain("gone_b", (await QueryAsync(second, "{__name__=~\".+\"}")).Select(e => e.Metric));
            Assert.Null(RingFile(storage, "gone_b"));
            // stale_c's retention ran on while the cluster was down: it goes once 10 s + a sweep have passed since its
            // last exemplar, not a whole retention after the restart (as it would if the catalog had forgotten when it
            // was last seen).
            TimeSpan? cGone = null;
            while (started.Elapsed < retention)
            {
                if ((await QueryAsync(second, "{__name__=~\".+\"}")).All(e => e.Metric != "stale_c"))
                {
                    cGone = started.Elapsed;
                    break;
                }
                await Task.Delay(100);
            }
            Assert.True(cGone is not null, $"stale_c was still answered {retention} after the restart");
            output.WriteLine($"stale_c left {cGone.Value.TotalSeconds:0.00} s after the restart, " +
                             $"{idleWhileDown.Elapsed.TotalSeconds:0.0} s after its last exemplar");
            // Counted from the restart it would stay Retention + Retention/10 (11 s).
            Assert.True(cGone < retention * 0.75, $"stale_c went only {cGone} after the restart");
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(RingFile(storage, "stale_c") is null), TimeSpan.FromSeconds(5)),
                "stale_c's ring file is still in grain storage");
            // The live one stays, with everything it held.
            var a = await QueryAsync(second, "{__name__=~\".+\"}");
            Assert.Contains(a, e => e is { Metric: "live_a", TraceId: "a0" });
            Assert.Contains(a, e => e is { Metric: "live_a", TraceId: "after-restart" });
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
            Directory.Delete(wal, recursive: true);
        }
    }

    [Fact]
    public async Task Turning_retention_on_again_counts_from_then_not_from_before_it_was_off()
    {
        var retention = TimeSpan.FromSeconds(4); // long enough that a loaded CI machine never stalls a live writer past it
        var storage = Directory.CreateTempSubdirectory("oe-retention-grains-").FullName;
        try
        {
            await using (var on = await StartAsync(storage, retention))
            {
                await WriteAsync(on, ("toggled_metric", "t0"));
            } // the catalog stores when it was last seen
            await using (var off = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?> { ["Storage:File:Directory"] = storage }))
            {
                Assert.Contains("toggled_metric", (await QueryAsync(off, "{__name__=~\".+\"}")).Select(e => e.Metric));
            }
            await Task.Delay(retention + retention / 10 + TimeSpan.FromSeconds(1)); // longer than the retention since it was last seen

            await using var again = await StartAsync(storage, retention);
            var clock = Stopwatch.StartNew();
            // Without retention nothing was tracked: it counts as seen when the catalog came back, not 3 s earlier.
            Assert.Equal(["t0"], (await QueryAsync(again, "toggled_metric")).Select(e => e.TraceId));
            Assert.Contains("toggled_metric", (await QueryAsync(again, "{__name__=~\".+\"}")).Select(e => e.Metric));
            Assert.True(clock.Elapsed < retention, $"the checks took {clock.Elapsed}: too slow to tell");
            Assert.True(await KafkaTestData.EventuallyAsync(async () =>
                (await QueryAsync(again, "{__name__=~\".+\"}")).All(e => e.Metric != "toggled_metric"), retention * 3),
                "idle from then on, it was never forgotten");
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task A_crashed_silos_log_does_not_bring_a_forgotten_metric_back()
    {
        var retention = TimeSpan.FromSeconds(4); // long enough that a loaded CI machine never stalls a live writer past it
        var storage = Directory.CreateTempSubdirectory("oe-retention-grains-").FullName;
        var wal = Directory.CreateTempSubdirectory("oe-retention-wal-").FullName;
        try
        {
            await using var system = await StartAsync(storage, retention, wal, new Dictionary<string, string?>
            {
                ["Wal:OrphanScanInterval"] = "00:00:00.200",
            });
            await WriteAsync(system, ("forgotten_b", "b0"), ("forgotten_b", "b1"));
            Assert.True(await KafkaTestData.EventuallyAsync(async () =>
                (await QueryAsync(system, "{__name__=~\".+\"}")).All(e => e.Metric != "forgotten_b"), retention * 3), "forgotten_b was not forgotten");

            // A silo that crashed before its log dropped forgotten_b's records; the log also holds a metric never seen.
            var orphan = await WriteCrashedLogAsync(wal,
                ("forgotten_b", new SeriesExemplars(LabelSet.From(("__name__", "forgotten_b"), ("job", Job)),
                    [Exemplar(_timestamp - 10, "b0"), Exemplar(_timestamp - 5, "b1")])),
                ("replayed_d", new SeriesExemplars(LabelSet.From(("__name__", "replayed_d"), ("job", Job)), [Exemplar(_timestamp, "d0")])));
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(!Directory.Exists(orphan)), TimeSpan.FromSeconds(30)),
                "the crashed silo's log was not replayed");

            var all = await QueryAsync(system, "{__name__=~\".+\"}");
            Assert.Contains(all, e => e is { Metric: "replayed_d", TraceId: "d0" }); // replay works
            Assert.DoesNotContain(all, e => e.Metric == "forgotten_b");
            Assert.Empty(await QueryAsync(system, "forgotten_b"));
            Assert.Null(RingFile(storage, "forgotten_b"));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
            Directory.Delete(wal, recursive: true);
        }
    }

    [Fact]
    public async Task Each_shard_of_a_sharded_metric_is_forgotten_on_its_own()
    {
        var retention = TimeSpan.FromSeconds(5); // long enough that a loaded CI machine never stalls a live writer past it
        var storage = Directory.CreateTempSubdirectory("oe-retention-grains-").FullName;
        try
        {
            await using var system = await StartAsync(storage, retention, settings: new Dictionary<string, string?>
            {
                ["Sharding:AutoSeriesThreshold"] = "3",
                ["Sharding:AutoShards"] = "2",
                ["Sharding:RefreshInterval"] = "00:00:00.100",
            });
            const string metric = "hot_metric";
            var series = Enumerable.Range(0, 8).Select(s => $"s{s}").ToArray();
            // 8 series in the plain grain: past the threshold, so new exemplars go to hot_metric#0 and #1 from now on.
            await WriteSeriesAsync(system, metric, series, round: 0);
            Assert.Equal(new MetricLayout(metric, true, 0, 2), await system.Client.Shard(metric).GetLayoutAsync(metric));
            await Task.Delay(300); // the API host's router re-reads the catalog
            var plainIdle = Stopwatch.StartNew();
            MetricLayout? layout = null;
            for (var round = 1; plainIdle.Elapsed < retention * 3; round++)
            {
                await WriteSeriesAsync(system, metric, series, round);
                layout = await system.Client.Shard(metric).GetLayoutAsync(metric);
                if (layout is { Unsharded: false }) break;
                await Task.Delay(250);
            }
            output.WriteLine($"the plain grain left the layout {plainIdle.Elapsed.TotalSeconds:0.00} s after its last exemplar");
            Assert.Equal(new MetricLayout(metric, false, 2, 2), layout);
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(RingFile(storage, metric) is null), TimeSpan.FromSeconds(5)),
                "the plain grain's ring file is still in grain storage");
            Assert.NotNull(RingFile(storage, MetricShardRouter.ShardKey(metric, 0)));
            // What the plain grain held (round 0) went with it; the shards answer everything since.
            var answered = await QueryAsync(system, metric);
            Assert.DoesNotContain(answered, e => e.TraceId.EndsWith("-r0", StringComparison.Ordinal));
            Assert.Contains(answered, e => e.TraceId == "s0-r1");
            Assert.Equal(answered.Count, answered.Select(e => e.TraceId).Distinct().Count());
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task Appends_cost_no_storage_write_each_with_retention_on()
    {
        var retention = TimeSpan.FromSeconds(4); // long enough that a loaded CI machine never stalls a live writer past it
        await using var system = await StartAsync(storage: null, retention, settings: new Dictionary<string, string?>
        {
            ["Exemplars:PersistInterval"] = "00:00:01",
        });
        using var meters = new MeterRecorder(system.SiloServices().GetRequiredService<IMeterFactory>(), GrainStorageMetrics.MeterName);
        const int appends = 300;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < appends; i++)
        {
            await WriteAsync(system, ("busy_metric", $"t{i}"));
            await Task.Delay(10); // a few seconds of appends: several persist intervals and sweeps
        }
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the last write-behind
        var elapsed = clock.Elapsed;
        double rings = meters.Sum("oe_grain_state_writes", ("state", "ring")), catalogs = meters.Sum("oe_grain_state_writes", ("state", "catalog"));
        output.WriteLine($"{appends} appends in {elapsed.TotalSeconds:0.00} s: {rings} ring writes, {catalogs} catalog writes " +
                         $"(persist interval 1 s, sweep 1 s, activity reported every {retention / 10})");
        Assert.Equal(appends, (await QueryAsync(system, "busy_metric")).Count);
        var seconds = (int)Math.Ceiling(elapsed.TotalSeconds);
        // The ring is written behind once per persist interval; the catalog at registration and once per sweep.
        Assert.InRange(rings, 1, seconds + 1);
        Assert.InRange(catalogs, 1, seconds + 2);
        Assert.True(rings + catalogs < appends / 10.0, $"{rings + catalogs} storage writes for {appends} appends");
    }

    private static async Task<ExemplarSystem> StartAsync(string? storage, TimeSpan retention, string? wal = null,
        IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Exemplars:Retention"] = retention.ToString("c"),
        };
        all.TryAdd("Exemplars:PersistInterval", "00:00:00.200");
        if (storage is not null) all["Storage:File:Directory"] = storage;
        if (wal is not null) all["Wal:Directory"] = wal;
        return await ExemplarSystem.StartAsync(settings: all);
    }

    /// <summary>One request: an exemplar (trace id) per (metric, id), each with a newer timestamp than the last.</summary>
    private async Task WriteAsync(ExemplarSystem system, params (string Metric, string TraceId)[] exemplars)
    {
        var request = Request(exemplars.GroupBy(e => e.Metric).Select(g =>
        {
            var series = Series(("__name__", g.Key), ("job", Job)).WithSample(1, _timestamp);
            foreach (var (_, id) in g) series.WithExemplar(1, ++_timestamp, ("trace_id", id));
            return series;
        }).ToArray());
        using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>One exemplar for each series (label <c>s</c>) of the metric, trace id <c>&lt;series&gt;-r&lt;round&gt;</c>.</summary>
    private async Task WriteSeriesAsync(ExemplarSystem system, string metric, string[] series, int round)
    {
        var stamp = ++_timestamp;
        var request = Request(series.Select(s => Series(("__name__", metric), ("job", Job), ("s", s)).WithSample(1, stamp)
            .WithExemplar(1, stamp, ("trace_id", $"{s}-r{round}"))).ToArray());
        using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<List<(string Metric, string TraceId)>> QueryAsync(ExemplarSystem system, string query)
    {
        using var json = JsonDocument.Parse(await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query)));
        return json.RootElement.GetProperty("data").EnumerateArray().SelectMany(s =>
        {
            var metric = s.GetProperty("seriesLabels").GetProperty("__name__").GetString()!;
            return s.GetProperty("exemplars").EnumerateArray()
                .Select(e => (metric, e.GetProperty("labels").GetProperty("trace_id").GetString()!));
        }).ToList();
    }

    /// <summary>The ring file of grain <paramref name="grainKey"/> in file grain storage, or null when there is none.</summary>
    private static string? RingFile(string storage, string grainKey) =>
        Directory.GetFiles(storage, "*.state", SearchOption.AllDirectories)
            .SingleOrDefault(f => Path.GetFileName(f) == GrainFileNames.Encode(grainKey) + ".state" &&
                                  Path.GetFileName(Path.GetDirectoryName(f)) == StorageNames.RingState);

    private static Prometheus.Model.Exemplar Exemplar(long timestamp, string traceId) =>
        new(LabelSet.From(("trace_id", traceId)), 1, timestamp, true);

    /// <summary>What a silo killed with these records in its log leaves behind: a log directory nobody holds.</summary>
    private static async Task<string> WriteCrashedLogAsync(string root, params (string GrainKey, SeriesExemplars Series)[] records)
    {
        var directory = WalDirectory.Create(root);
        await using (var log = ExemplarWal.Open(new WalOptions { Directory = root }, directory.Path))
        {
            foreach (var (key, series) in records) await log.AppendAsync(WalExemplarRecord.Encode(key, [series]));
        }
        directory.Dispose(); // the process is gone, its lock with it
        return directory.Path;
    }
}
