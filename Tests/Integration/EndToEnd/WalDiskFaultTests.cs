using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// The silo's WAL on disks that fail for real. A 1 MiB tmpfs that fills up while remote-write requests keep coming
/// to the real Silo and ApiHost processes, gets its space back, and then the silo is SIGKILLed: every request that got
/// a 2xx must be queryable after the restart, and the log left behind must replay without a corrupt segment. And a
/// device whose directory fsync fails: the silo must not start on it.
/// </summary>
public sealed class WalDiskFaultTests(ITestOutputHelper output)
{
    private const int SeriesPerRequest = 20;

    [Fact]
    public async Task A_full_wal_disk_loses_no_acknowledged_exemplar_and_readiness_names_the_wal_until_space_returns()
    {
        using var disk = TmpfsMount.Create("1m");
        var storage = Directory.CreateTempSubdirectory("oe-walfull-grains-").FullName;
        var siloPort = FreePort.Next();
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "walfull-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        };
        var siloSettings = new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["Wal__Directory"] = disk.Path,
            ["Wal__CheckpointInterval"] = "00:00:00.200",
            ["Storage__File__Directory"] = storage,
            // Rings are only written when the WAL cannot take a record: what survives the kill otherwise is the log's.
            ["Exemplars__PersistInterval"] = "01:00:00",
            ["Health__CacheDuration"] = "00:00:00.200",
        };
        HostProcess? silo = HostProcess.Start("Silo", siloSettings);
        var apiPort = FreePort.Next();
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster) { ["Urls"] = $"http://127.0.0.1:{apiPort}" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var readyz = $"http://127.0.0.1:{siloPort}/readyz";
        var siloOutput = "";
        try
        {
            var ready = await WaitForReadinessAsync(probe, readyz, HttpStatusCode.OK, TimeSpan.FromSeconds(120));
            Assert.True(ready.Status == HttpStatusCode.OK, ready.Body + silo.Output);

            await WriteAsync(http, 0, 40);
            disk.Fill();
            output.WriteLine($"disk filled: {disk.FreeBytes} bytes free");
            // Enough records that the writer's buffers would have filled and been cut mid-record more than once.
            await WriteAsync(http, 40, 150);
            disk.Fill(); // pages the WAL freed by cutting back its failed segments: the disk stays full, as a runaway neighbour keeps it
            var full = await WaitForReadinessAsync(probe, readyz, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
            Assert.True(full.Status == HttpStatusCode.ServiceUnavailable, full.Body + silo.Output);
            Assert.Equal("Unhealthy", CheckField(full.Body, "wal", "status"));
            output.WriteLine("while full: " + CheckField(full.Body, "wal", "description"));
            Assert.True(await MetricAsync(probe, siloPort, "oe_wal_append_failures_total") > 0);

            disk.Free();
            var back = await WaitForReadinessAsync(probe, readyz, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
            Assert.True(back.Status == HttpStatusCode.OK, back.Body + silo.Output);
            await WriteAsync(http, 190, 40);

            await silo.KillAsync();
            siloOutput += silo.Output;
            foreach (var line in siloOutput.Split('\n').Where(l => l.Contains("Exemplar WAL", StringComparison.Ordinal)).Take(20)) output.WriteLine(line);
            await silo.DisposeAsync();
            silo = null;

            // What the killed silo left: its one run directory. Nothing acknowledged after the fault sits behind a bad frame.
            var log = Assert.Single(Directory.GetDirectories(disk.Path));
            var stats = new WalReplayStats();
            var logged = WalReader.Replay(log, stats).SelectMany(r => WalExemplarRecord.Decode(r.Payload).Batch)
                .SelectMany(s => s.Exemplars).Select(e => e.Labels.Get("trace_id")).ToHashSet();
            output.WriteLine($"the dead log: {stats.Records} records, {stats.TornTails} torn tails, {stats.CorruptSegments} corrupt segments; " +
                             string.Join("; ", stats.Problems));
            Assert.Equal(0, stats.CorruptSegments);
            var afterFault = TraceIds(190, 40).Where(t => !logged.Contains(t)).ToList();
            Assert.True(afterFault.Count == 0, $"{afterFault.Count} exemplars acknowledged after the disk had space again are not in the log");

            silo = HostProcess.Start("Silo", siloSettings);
            var expected = TraceIds(0, 230).Order(StringComparer.Ordinal).ToList();
            List<string> found = [];
            await KafkaTestData.EventuallyAsync(async () =>
            {
                found = await QueryTraceIdsAsync(http);
                return found.Count >= expected.Count;
            }, TimeSpan.FromSeconds(120));
            var missing = expected.Except(found).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} acknowledged exemplars missing after the restart, e.g. " +
                                            string.Join(", ", missing.Take(10)) + "\n" + siloOutput + silo.Output);
            Assert.Equal(expected, found.Order(StringComparer.Ordinal)); // and none twice
            Assert.DoesNotContain("CRC mismatch", silo.Output);
        }
        finally
        {
            if (silo is not null) await silo.DisposeAsync();
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task A_wal_directory_whose_fsync_fails_stops_the_silo_start_naming_the_key_and_is_counted()
    {
        using var device = StarvableBlockDevice.Create();
        device.Starve();
        long failures = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WalMetrics.MeterName && instrument.Name == "oe_wal_directory_sync_failures") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Wal:Directory"] = Path.Combine(device.Path, "wal"),
            });
        });
        var message = Flatten(e);
        output.WriteLine(message);
        Assert.Contains("Wal:Directory", message);
        Assert.Contains("fsync of directory", message);
        Assert.Contains("Input/output error", message);
        Assert.True(Interlocked.Read(ref failures) > 0, "the failed directory fsync was not counted in oe_wal_directory_sync_failures");
    }

    private static string Flatten(Exception e) => e switch
    {
        AggregateException a => string.Join(" | ", a.InnerExceptions.Select(Flatten)),
        _ => e.Message + (e.InnerException is null ? "" : " <- " + Flatten(e.InnerException)),
    };

    private static IEnumerable<string> TraceIds(int first, int count) =>
        Enumerable.Range(first, count).SelectMany(j => Enumerable.Range(0, SeriesPerRequest).Select(s => $"r{j}-s{s}"));

    /// <summary>As Prometheus' remote write: each request resent until it gets a 2xx.</summary>
    private static async Task WriteAsync(HttpClient http, int first, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        for (var j = first; j < first + count; j++)
        {
            var request = Request(Enumerable.Range(0, SeriesPerRequest).Select(s =>
                Series(("__name__", $"wal_full_{s % 2}"), ("job", "walfull"), ("series", s.ToString()))
                    .WithSample(j, 1_000_000 + j * 1000L)
                    .WithExemplar(j, 1_000_000 + j * 1000L, ("trace_id", $"r{j}-s{s}"))).ToArray());
            while (true)
            {
                try
                {
                    using var response = await http.PostAsync("api/v1/write", SnappyContent(request), deadline.Token);
                    if (response.StatusCode == HttpStatusCode.NoContent) break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !deadline.IsCancellationRequested)
                {
                }
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private static async Task<List<string>> QueryTraceIdsAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"walfull\"}"));
            if (response.StatusCode != HttpStatusCode.OK) return [];
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("data").EnumerateArray()
                .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
                .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!)
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return [];
        }
    }

    private static async Task<(HttpStatusCode? Status, string Body)> WaitForReadinessAsync(HttpClient http, string url,
        HttpStatusCode wanted, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        (HttpStatusCode? Status, string Body) last = (null, "no answer");
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(url);
                last = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (last.Status == wanted) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = (null, e.Message);
            }
            await Task.Delay(200);
        }
        return last;
    }

    private static string CheckField(string body, string check, string field)
    {
        using var json = JsonDocument.Parse(body);
        var entry = json.RootElement.GetProperty("checks").EnumerateArray().SingleOrDefault(c => c.GetProperty("name").GetString() == check);
        Assert.True(entry.ValueKind == JsonValueKind.Object, $"no check '{check}' in {body}");
        return entry.GetProperty(field).GetString()!;
    }

    private static async Task<double> MetricAsync(HttpClient http, int port, string name)
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        Assert.True(line is not null, $"{name} is not exported");
        return double.Parse(line![(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
