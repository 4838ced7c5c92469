using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// 20 000 metric names into one real silo process whose exemplar budget holds a fifth of what is sent: the rings
/// holding the oldest exemplars give them back, the silo's resident memory stays under a bound, and queries still
/// answer the newest exemplars completely.
/// </summary>
public sealed class ExemplarBudgetProcessTests(ITestOutputHelper output)
{
    private const int Metrics = 20_000;
    private const int PerMetric = 25;
    private const int Budget = 100_000;
    private const int MetricsPerRequest = 250;
    private const long RssBoundBytes = 900L * 1024 * 1024;

    [Fact]
    public async Task Twenty_thousand_metrics_stay_within_the_budget_and_the_newest_exemplars_answer_completely()
    {
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "budget-" + Guid.NewGuid().ToString("N"),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        };
        var siloPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Exemplars__MaxExemplarsPerSilo"] = Budget.ToString(CultureInfo.InvariantCulture),
            ["Exemplars__PersistInterval"] = "01:00:00",
        });
        var apiPort = FreePort.Next();
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster) { ["Urls"] = $"http://127.0.0.1:{apiPort}" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string Logs() => $"\n--- silo ---\n{silo.Output[^Math.Min(4000, silo.Output.Length)..]}";
        Assert.True(await KafkaTestData.EventuallyAsync(async () =>
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
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Metrics / MetricsPerRequest), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (r, ct) =>
            {
                var series = Enumerable.Range(r * MetricsPerRequest, MetricsPerRequest).Select(m =>
                {
                    var s = Series(("__name__", Name(m)), ("job", "budget"), ("team", Team(m))).WithSample(m, t0 + (long)m * PerMetric);
                    for (var k = 0; k < PerMetric; k++) s.WithExemplar(k, t0 + (long)m * PerMetric + k, ("trace_id", $"m{m}-{k}"));
                    return s;
                }).ToArray();
                using var response = await http.PostAsync("api/v1/write", SnappyContent(Request(series)), ct);
                Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            });
        var written = clock.Elapsed;

        double held = double.NaN;
        var within = await KafkaTestData.EventuallyAsync(async () =>
        {
            held = await MetricAsync(probe, siloPort, "oe_ring_exemplars");
            return held <= Budget;
        }, TimeSpan.FromSeconds(60));
        var shed = await MetricAsync(probe, siloPort, "oe_exemplars_shed_total");
        var peak = rss.Peak;
        var figures = $"{Metrics} metrics × {PerMetric} exemplars written in {written.TotalSeconds:0.0} s; rings hold {held} " +
                      $"(budget {Budget}), {shed} shed; silo VmRSS peak {peak / 1048576.0:0.0} MiB (bound {RssBoundBytes / 1048576} MiB)";
        output.WriteLine(figures);
        Assert.True(within, figures + Logs());
        Assert.Equal(Metrics * PerMetric - held, shed);
        Assert.Equal(Budget, await MetricAsync(probe, siloPort, "oe_exemplar_budget"));
        Assert.True(peak <= RssBoundBytes, figures);

        // The newest 2 000 metrics (50 000 exemplars, under the 90 000 the budget keeps) answer completely, the oldest
        // half not at all: the cut fell across metrics at one time.
        var newest = await TraceIdsAsync(http, "{__name__=~\"budget_metric_1[89].*\"}");
        Assert.Equal(Enumerable.Range(18_000, 2_000).SelectMany(m => Enumerable.Range(0, PerMetric).Select(k => $"m{m}-{k}"))
            .Order(StringComparer.Ordinal), newest.Order(StringComparer.Ordinal));
        Assert.Empty(await TraceIdsAsync(http, "{__name__=~\"budget_metric_0.*\"}"));
        Assert.Equal(held, (await TraceIdsAsync(http, "{job=\"budget\"}")).Count);

        // A query without a metric name: the catalog's label index asks only the 200 metrics of one team of 100.
        // /metrics answers from a cache of up to a second (the exporter's scrape cache): read it after a pause.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var asked = await MetricAsync(probe, apiPort, "oe_query_exemplars_grains_asked_total");
        clock.Restart();
        var team = await TraceIdsAsync(http, "{team=\"t7\"}");
        var took = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var grains = await MetricAsync(probe, apiPort, "oe_query_exemplars_grains_asked_total") - asked;
        clock.Restart();
        var all = await TraceIdsAsync(http, "{job=\"budget\"}");
        var tookAll = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var grainsAll = await MetricAsync(probe, apiPort, "oe_query_exemplars_grains_asked_total") - asked - grains;
        output.WriteLine($"{{team=\"t7\"}}: {grains} grains asked, {team.Count} exemplars, {took.TotalMilliseconds:0} ms; " +
                         $"{{job=\"budget\"}}: {grainsAll} grains asked, {all.Count} exemplars, {tookAll.TotalMilliseconds:0} ms");
        Assert.Equal(Metrics / 100, grains);
        Assert.Equal(Metrics, grainsAll);
        Assert.Equal(all.Where(t => int.Parse(t[1..t.IndexOf('-')], CultureInfo.InvariantCulture) % 100 == 7).Order(StringComparer.Ordinal),
            team.Order(StringComparer.Ordinal));
    }

    private static string Team(int m) => $"t{(m % 100).ToString(CultureInfo.InvariantCulture)}";

    private static string Name(int m) => $"budget_metric_{m.ToString("D5", CultureInfo.InvariantCulture)}";

    private static async Task<List<string>> TraceIdsAsync(HttpClient http, string query)
    {
        var body = await http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query));
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(s => s.GetProperty("exemplars").EnumerateArray().Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!))
            .ToList();
    }

    private static async Task<double> MetricAsync(HttpClient http, int port, string name)
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        Assert.True(line is not null, $"{name} is not exported");
        return double.Parse(line![(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
