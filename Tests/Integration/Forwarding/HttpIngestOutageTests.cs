using System.Diagnostics;
using System.Globalization;
using OrleansExemplars.LoadTool;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// HTTP ingest through a TSDB outage, end to end with real processes: the load tool remote-writes into the real ApiHost
/// (resending refused requests as Prometheus does), the real Silo forwards to the real VictoriaMetrics from Debian, and
/// VictoriaMetrics is stopped for 60 s and started again on the same port and data. What an SRE checks afterwards: every
/// sample is in VictoriaMetrics exactly once (its raw export, which keeps duplicates), and the silo's memory stayed
/// bounded meanwhile.
/// </summary>
public sealed class HttpIngestOutageTests(ITestOutputHelper output)
{
    private const int Series = 500;
    private const int Shards = 16;
    private const int Requests = 640;
    private const double Rate = 16;

    /// <summary>Forward queue cap of the silo: small, so that some requests are refused while the TSDB is down.</summary>
    private const long MaxQueuedBytes = 1024 * 1024;

    /// <summary>How far the silo's resident memory may rise above what it used before the outage.</summary>
    private const long RssHeadroomBytes = 160L * 1024 * 1024;

    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_60_s_VictoriaMetrics_outage_under_HTTP_load_stores_every_sample_once_with_bounded_silo_memory()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        var forwarding = new Dictionary<string, string>
        {
            ["RemoteWrite__Endpoints__0__Url"] = vm.WriteUrl.ToString(),
            ["RemoteWrite__Endpoints__0__Name"] = "victoria",
            ["RemoteWrite__Endpoints__0__MaxBackoff"] = "00:00:01",
            ["RemoteWrite__BatchSendDeadline"] = "00:00:00.100",
            ["RemoteWrite__MaxQueuedBytes"] = MaxQueuedBytes.ToString(CultureInfo.InvariantCulture),
            ["Cluster__ClusterId"] = "outage-" + Guid.NewGuid().ToString("N"),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        };
        var apiPort = FreePort.Next();
        var siloUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(forwarding)
        {
            ["Urls"] = siloUrl.ToString().TrimEnd('/'),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        });
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(forwarding)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
            // Short, so that during the outage senders are answered 503 and resend many times.
            ["Api__ForwardTimeout"] = "00:00:02",
        });
        string Logs() => $"\n--- silo ---\n{Tail(silo.Output)}\n--- api ---\n{Tail(api.Output)}\n--- victoria ---\n{Tail(vm.Log)}";
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.True(await EventuallyAsync(async () =>
        {
            Assert.False(silo.HasExited || api.HasExited, "a host exited" + Logs());
            try
            {
                using var ready = await http.GetAsync("readyz");
                return ready.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(120)), "the API host did not become ready" + Logs());

        using var rss = new RssSampler(silo.ProcessId);
        var settings = LoadSettings.Parse(
        [
            "--url", new Uri(http.BaseAddress!, "api/v1/write").ToString(), "--retry",
            "--rate", Rate.ToString(CultureInfo.InvariantCulture), "--requests", Requests.ToString(CultureInfo.InvariantCulture),
            "--series", Series.ToString(CultureInfo.InvariantCulture), "--metrics", "20", "--exemplar-ratio", "0",
            "--shards", Shards.ToString(CultureInfo.InvariantCulture), "--concurrency", Shards.ToString(CultureInfo.InvariantCulture),
            "--seed", "13",
        ], DateTimeOffset.UtcNow);
        var workload = new RemoteWriteWorkload(settings.Shape);
        var expected = Expected(workload);
        var match = $"{{job=\"{RemoteWriteWorkload.Job}\",run=\"{workload.Run}\"}}";
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var load = Task.Run(() => RemoteWriteLoad.RunAsync(settings, TextWriter.Null, progressBar: false, stopLoad.Token));

        // Forwarding runs: some samples of the run reached VictoriaMetrics. Then the outage.
        Assert.True(await EventuallyAsync(async () => (await vm.ExportAsync(match)).Sum(s => s.Points.Count) >= Series * Shards,
            TimeSpan.FromSeconds(60)), "no samples reached VictoriaMetrics before the outage" + Logs());
        var before = rss.Peak;
        await vm.StopAsync();
        var stopped = Stopwatch.StartNew();
        await Task.Delay(Outage);
        var peakDuringOutage = rss.Peak;
        await vm.StartAgainAsync();
        var outage = stopped.Elapsed;
        var recovered = Stopwatch.StartNew();

        var summary = await load;
        var loadDone = recovered.Elapsed;
        List<VictoriaMetricsServer.ExportedSeries> stored = [];
        var complete = await EventuallyAsync(async () =>
        {
            stored = await vm.ExportAsync(match);
            return stored.Sum(s => s.Points.Count) >= expected.Count;
        }, TimeSpan.FromMinutes(3));
        var drained = recovered.Elapsed;
        var peak = rss.Peak;

        var seen = new Dictionary<(string Series, long Timestamp), int>();
        var wrongValues = 0;
        foreach (var series in stored)
        {
            var key = Key(series.Labels);
            foreach (var (timestamp, value) in series.Points)
            {
                seen[(key, timestamp)] = seen.GetValueOrDefault((key, timestamp)) + 1;
                if (expected.TryGetValue((key, timestamp), out var want) && !want.Equals(value)) wrongValues++;
            }
        }
        var lost = expected.Keys.Count(k => !seen.ContainsKey(k));
        var duplicated = seen.Values.Sum(n => n - 1);
        var unexpected = seen.Keys.Count(k => !expected.ContainsKey(k));
        var siloMetrics = await ScrapeAsync(new Uri(siloUrl, "metrics"));
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"""
             samples expected {expected.Count}, stored {stored.Sum(s => s.Points.Count)}: lost {lost}, duplicated {duplicated}, unexpected {unexpected}, wrong values {wrongValues}
             load: {summary.Requests} requests acknowledged, {summary.Errors} failed, {summary.Retries} resends; first error: {summary.FirstError ?? "none"}
             outage {outage.TotalSeconds:0.0} s; load finished {loadDone.TotalSeconds:0.0} s and VictoriaMetrics complete {drained.TotalSeconds:0.0} s after the restart
             silo VmRSS: {before / 1048576.0:0.0} MiB before the outage, peak {peakDuringOutage / 1048576.0:0.0} MiB during it, peak {peak / 1048576.0:0.0} MiB overall ({rss.Samples} samples); bound {(before + RssHeadroomBytes) / 1048576.0:0.0} MiB
             silo: {string.Join("; ", siloMetrics.Split('\n').Where(l => l.StartsWith("oe_remote_storage_queue", StringComparison.Ordinal) || l.StartsWith("oe_remote_storage_refused", StringComparison.Ordinal) || l.StartsWith("oe_remote_storage_samples_pending", StringComparison.Ordinal)))}
             """);
        output.WriteLine(figures);
        await File.WriteAllTextAsync(Path.Combine(ArtifactDirectory(), "http-ingest-outage.txt"), figures);

        Assert.True(summary.Errors == 0 && summary.Requests == Requests, figures + Logs());
        Assert.True(complete && lost == 0 && duplicated == 0 && unexpected == 0 && wrongValues == 0, figures + Logs());
        Assert.True(peak <= before + RssHeadroomBytes, figures);
    }

    /// <summary>(series, timestamp) → value of every sample of the run's requests, built as the tool builds them.</summary>
    private static Dictionary<(string Series, long Timestamp), double> Expected(RemoteWriteWorkload workload)
    {
        var expected = new Dictionary<(string, long), double>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var r = 0; r < Requests; r++)
        {
            foreach (var ts in workload.Build(r).Timeseries)
            {
                var key = Key(ts.Labels.Select(l => KeyValuePair.Create(l.Name.ToStringUtf8(), l.Value.ToStringUtf8())));
                key = keys.TryGetValue(key, out var shared) ? shared : keys[key] = key;
                foreach (var sample in ts.Samples) expected[(key, sample.Timestamp)] = sample.Value;
            }
        }
        return expected;
    }

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static async Task<string> ScrapeAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await http.GetStringAsync(url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    private static string Tail(string log) => log.Length <= 6000 ? log : "…" + log[^6000..];

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(500);
        }
        return await condition();
    }

    /// <summary><c>TestResults/forwarding/</c> at the root of the checkout (ignored by git).</summary>
    private static string ArtifactDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new DirectoryNotFoundException("OrleansExemplars.sln not found");
        return Directory.CreateDirectory(Path.Combine(root, "TestResults", "forwarding")).FullName;
    }
}
