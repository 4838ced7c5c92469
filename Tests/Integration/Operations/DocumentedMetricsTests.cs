using System.Text.RegularExpressions;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// The Metrics table of <c>docs/operations.md</c> and the real processes' <c>/metrics</c> agree: after HTTP and Kafka traffic (with a
/// forwarding endpoint that retries and drops, bad input, a proxied query and a WAL replay after a crash), every
/// metric the table lists is exposed by the host its row names, every <c>oe_*</c> metric exposed is in the table,
/// and the silo carries Orleans' own meters.
/// </summary>
public sealed partial class DocumentedMetricsTests
{
    /// <summary>Where the Metrics table lives, relative to the repository root.</summary>
    public const string DocumentPath = "docs/operations.md";

    [Fact]
    public void The_documented_metrics_table_parses()
    {
        var documented = DocumentedMetrics();
        Assert.Contains(documented, m => m is { Name: "oe_remote_write_requests_total", Host: "API host" });
        Assert.Contains(documented, m => m is { Name: "oe_remote_storage_exemplars_retried_total", Host: "silo" });
        Assert.Contains(documented, m => m is { Name: "oe_query_exemplars_duration_seconds", Host: "API host" });
        Assert.Contains(documented, m => m is { Name: "oe_kafka_partition_lag", Host: "silo" });
        Assert.All(documented, m => Assert.Matches("^oe_[a-z_]+[a-z]$", m.Name));
        Assert.Equal(["oe_a_x_total", "oe_a_y_total"], Expand("oe_a_{x,y}_total{endpoint,reason}"));
    }

    [Fact]
    public async Task Every_documented_metric_is_exposed_after_traffic_and_every_exposed_one_is_documented()
    {
        using var kafka = new KafkaMockCluster();
        await using var victoria = await VictoriaMetricsServer.StartAsync();
        // A second endpoint that answers 503 (retried) then 400 (dropped), then 204.
        await using var flaky = await LoopbackRemoteWriteReceiver.StartAsync(0, new ScriptedResponse(503), new ScriptedResponse(400));
        var walDirectory = Directory.CreateTempSubdirectory("oe-metrics-wal-").FullName;
        var storageDirectory = Directory.CreateTempSubdirectory("oe-metrics-grains-").FullName;
        try
        {
            var forwarding = new Dictionary<string, string>
            {
                ["RemoteWrite__Endpoints__0__Url"] = victoria.WriteUrl.ToString(),
                ["RemoteWrite__Endpoints__0__SendExemplars"] = "true",
                ["RemoteWrite__Endpoints__1__Url"] = flaky.Url.ToString(),
                ["RemoteWrite__Endpoints__1__SendExemplars"] = "true",
                ["RemoteWrite__Endpoints__1__MinBackoff"] = "00:00:00.010",
                ["RemoteWrite__BatchSendDeadline"] = "00:00:00.100",
                ["Api__ForwardTimeout"] = "00:00:05",
            };
            var silo1 = SiloSettings(walDirectory, storageDirectory, forwarding);
            silo1["Kafka__BootstrapServers"] = kafka.BootstrapServers;
            silo1["Kafka__Topics__0"] = "metrics-topic";
            silo1["Kafka__CommitInterval"] = "00:00:00.200";
            var apiPort = FreePort.Next();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(30) };

            string siloMetrics, apiMetrics;
            await using (var silo = HostProcess.Start("Silo", silo1))
            await using (var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(forwarding)
                         {
                             ["Urls"] = $"http://127.0.0.1:{apiPort}",
                             ["Cluster__ClusterId"] = silo1["Cluster__ClusterId"],
                             ["Cluster__GatewayPort"] = silo1["Cluster__GatewayPort"],
                             ["Query__UpstreamUrl"] = victoria.BaseAddress.ToString(),
                         }))
            {
                string Logs() => $"\n--- silo ---\n{silo.Output}\n--- api ---\n{api.Output}";
                var clusterUp = await Kafka.KafkaTestData.EventuallyAsync(async () =>
                {
                    Assert.False(silo.HasExited, "silo exited" + Logs());
                    Assert.False(api.HasExited, "api host exited" + Logs());
                    try
                    {
                        using var ready = await http.GetAsync("readyz");
                        return ready.IsSuccessStatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(90));
                Assert.True(clusterUp, "the API host did not become ready" + Logs());

                await SendHttpTrafficAsync(http);
                await SendKafkaTrafficAsync(kafka);
                var siloUrl = $"{silo1["Urls"]}/metrics";
                var arrived = await Kafka.KafkaTestData.EventuallyAsync(async () =>
                {
                    var text = await http.GetStringAsync(siloUrl);
                    return Families(text).Contains("oe_kafka_dead_lettered_total") && Families(text).Contains("oe_kafka_partition_lag")
                           && Families(text).Contains("oe_remote_storage_samples_dropped_total")
                           && Families(text).Contains("oe_remote_storage_samples_retried_total");
                }, TimeSpan.FromSeconds(60));
                siloMetrics = await http.GetStringAsync(siloUrl);
                apiMetrics = await http.GetStringAsync("metrics");
                Assert.True(arrived, "Kafka and forwarding metrics did not appear:\n" + siloMetrics + Logs());
                // A crash leaves the WAL behind: the next silo replays it (the oe_wal_replay* metrics).
                await silo.KillAsync();
            }

            var silo2 = SiloSettings(walDirectory, storageDirectory, forwarding);
            await using (var restarted = HostProcess.Start("Silo", silo2))
            {
                var replayed = await Kafka.KafkaTestData.EventuallyAsync(async () =>
                {
                    Assert.False(restarted.HasExited, "restarted silo exited: " + restarted.Output);
                    try
                    {
                        return Families(await http.GetStringAsync($"{silo2["Urls"]}/metrics")).Contains("oe_wal_replay_duration_seconds");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(90));
                Assert.True(replayed, "no WAL replay after the crash: " + restarted.Output);
                siloMetrics += "\n" + await http.GetStringAsync($"{silo2["Urls"]}/metrics");
            }

            var exposed = new Dictionary<string, HashSet<string>> { ["silo"] = Families(siloMetrics), ["API host"] = Families(apiMetrics) };
            var documented = DocumentedMetrics();
            var missing = documented.Where(m => !exposed[m.Host].Contains(m.Name)).Select(m => $"{m.Name} ({m.Host})").ToList();
            Assert.True(missing.Count == 0,
                $"documented in {DocumentPath} but not on /metrics: {string.Join(", ", missing)}\n--- silo ---\n{siloMetrics}\n--- api ---\n{apiMetrics}");
            var undocumented = exposed.SelectMany(h => h.Value.Where(f => f.StartsWith("oe_", StringComparison.Ordinal))
                    .Where(f => !documented.Any(d => d.Name == f && d.Host == h.Key)).Select(f => $"{f} ({h.Key})"))
                .ToList();
            Assert.True(undocumented.Count == 0, $"on /metrics but not in {DocumentPath}'s Metrics table: {string.Join(", ", undocumented)}");
            Assert.Contains(exposed["silo"], f => f.StartsWith("orleans_", StringComparison.Ordinal)); // the Microsoft.Orleans meter
        }
        finally
        {
            Directory.Delete(walDirectory, recursive: true);
            Directory.Delete(storageDirectory, recursive: true);
        }
    }

    private static Dictionary<string, string> SiloSettings(string wal, string storage, Dictionary<string, string> forwarding) =>
        new(forwarding)
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Cluster__ClusterId"] = "metrics-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            ["Wal__Directory"] = wal,
            ["Storage__File__Directory"] = storage,
            // Rings are not written behind before the kill, so the WAL still holds records to replay.
            ["Exemplars__PersistInterval"] = "00:10:00",
        };

    /// <summary>Stored, duplicate, out-of-order and too-long exemplars; an invalid series; a query; a proxied query.</summary>
    private static async Task SendHttpTrafficAsync(HttpClient http)
    {
        var series = Series(("__name__", "metrics_test"), ("job", "m"));
        // The first request is the one the flaky endpoint retries and drops: a native histogram in it shows the
        // histogram counters (sent to VictoriaMetrics, dropped by the flaky one).
        var first = series.Clone().WithSample(1, 2000).WithExemplar(1, 2000, ("trace_id", "a"));
        first.Histograms.Add(new Prometheus.RemoteWrite.V1.Histogram { CountInt = 2, ZeroCountInt = 2, Timestamp = 2000 });
        await WriteAsync(http, Request(first));
        await WriteAsync(http, Request(series.Clone().WithSample(1, 2000).WithExemplar(1, 2000, ("trace_id", "a")))); // duplicate
        await WriteAsync(http, Request(series.Clone().WithSample(1, 3000).WithExemplar(1, 1000, ("trace_id", "b")))); // out of order
        await WriteAsync(http, Request(series.Clone().WithSample(1, 4000).WithExemplar(1, 4000, ("trace_id", new string('x', 200))))); // too long
        await WriteAsync(http, Request(Series(("job", "no-name")).WithSample(1, 1000))); // invalid: no __name__
        (await http.GetAsync("api/v1/query_exemplars?query=metrics_test")).Dispose();
        (await http.GetAsync("api/v1/query_exemplars?query=metrics_test{")).Dispose(); // bad_data
        (await http.GetAsync("api/v1/query?query=up")).Dispose(); // proxied to VictoriaMetrics
        // OTLP: a gauge and a delta sum, which is rejected (oe_otlp_rejected_data_points_total{reason}).
        var otlp = Otlp.OtlpRequests.Request(Otlp.OtlpRequests.Gauge("otlp.metrics.test", "", Otlp.OtlpRequests.Number(1)),
            Otlp.OtlpRequests.Sum("otlp.delta", "", true, Prometheus.Otlp.Proto.AggregationTemporality.Delta, Otlp.OtlpRequests.Number(1)));
        using var otlpBody = new ByteArrayContent(Google.Protobuf.MessageExtensions.ToByteArray(otlp));
        otlpBody.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        (await http.PostAsync("api/v1/otlp/v1/metrics", otlpBody)).Dispose();
    }

    private static async Task WriteAsync(HttpClient http, OrleansExemplars.Prometheus.RemoteWrite.V1.WriteRequest request)
    {
        using var response = await http.PostAsync("api/v1/write", SnappyContent(request));
    }

    /// <summary>Good messages, one that decodes as nothing (dead-lettered), one with an invalid series.</summary>
    private static async Task SendKafkaTrafficAsync(KafkaMockCluster kafka)
    {
        for (var i = 0; i < 8; i++) await kafka.ProduceAsync("metrics-topic", i % 4, Kafka.KafkaTestData.Snappy(Kafka.KafkaTestData.Message(i)));
        await kafka.ProduceAsync("metrics-topic", 0, "not a remote-write message"u8.ToArray());
        await kafka.ProduceAsync("metrics-topic", 1, Kafka.KafkaTestData.Snappy(
            Request(Series(("job", "no-name")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "n")))));
    }

    /// <summary>Metric family names of a Prometheus text exposition (<c># TYPE</c> lines).</summary>
    private static HashSet<string> Families(string exposition) =>
        TypeLine().Matches(exposition).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    public sealed record DocumentedMetric(string Name, string Host);

    /// <summary>
    /// Each metric name in the first column of docs/operations.md's Metrics table, with the host of its row. Brace groups
    /// inside a name are alternatives (<c>oe_x_{a,b}_total</c>); one at the end is its labels (<c>{endpoint}</c>).
    /// </summary>
    public static List<DocumentedMetric> DocumentedMetrics()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot(), DocumentPath));
        var section = Regex.Match(document, @"(?ms)^## Metrics\s*$(.*?)^## ").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(section), $"{DocumentPath} has no '## Metrics' section followed by another ## section");
        var result = new List<DocumentedMetric>();
        foreach (var line in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = line.Split('|');
            var host = cells[2].Trim();
            Assert.True(host is "silo" or "API host", $"{DocumentPath} Metrics row with host '{host}' (silo or API host expected): {line}");
            foreach (Match code in Regex.Matches(cells[1], "`([^`]+)`"))
            {
                result.AddRange(Expand(code.Groups[1].Value).Select(name => new DocumentedMetric(name, host)));
            }
        }
        Assert.NotEmpty(result);
        return result;
    }

    private static List<string> Expand(string pattern)
    {
        pattern = Regex.Replace(pattern, @"\{[^}]*\}$", "");
        var group = Regex.Match(pattern, @"\{([^}]*)\}");
        if (!group.Success) return [pattern];
        return group.Groups[1].Value.Split(',')
            .SelectMany(alternative => Expand(pattern[..group.Index] + alternative.Trim() + pattern[(group.Index + group.Length)..]))
            .ToList();
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("OrleansExemplars.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?m)^# TYPE (\S+) ")]
    private static partial Regex TypeLine();
}
