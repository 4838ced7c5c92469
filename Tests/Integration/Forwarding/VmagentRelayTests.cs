using System.Net;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Proxy;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// Debian's vmagent 1.79 — the relay a VictoriaMetrics user puts between Prometheus-style senders and the TSDB — on
/// both sides of us: as the sender (it scrapes a target and remote-writes into the API host) and as the endpoint we
/// forward to (it relays to a real VictoriaMetrics). Samples must arrive intact either way.
/// </summary>
public sealed class VmagentRelayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Vmagent_scraping_a_target_remote_writes_into_us_and_every_scraped_value_reaches_VictoriaMetrics()
    {
        await using var tsdb = await VictoriaMetricsServer.StartAsync();
        await using var ours = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.WriteUrl.ToString(),
        });
        await using var target = new OpenMetricsTarget(rounds: 5);
        await target.StartAsync();
        await using var vmagent = await VmagentServer.StartAsync(new Uri(ours.BaseAddress, "api/v1/write"), target.BaseAddress.Authority);

        // The target's /users counter grows by 3 a round, then stays at 15; every value vmagent scraped must be in VM.
        List<VictoriaMetricsServer.ExportedSeries> users = [];
        var arrived = await KafkaTestData.EventuallyAsync(async () =>
        {
            users = await tsdb.ExportAsync("demo_requests_total{path=\"/users\"}");
            return users.Count == 1 && users[0].Points.Any(p => p.Value == 15);
        }, Within);
        Assert.True(arrived, $"VictoriaMetrics never saw the last value through vmagent and us\n{vmagent.Log}");
        var series = Assert.Single(users);
        Assert.Equal("demo", series.Labels["job"]);
        Assert.Equal(target.BaseAddress.Authority, series.Labels["instance"]);
        // Staleness markers (NaN) come in when a scrape fails on a loaded machine: what is checked is every value scraped.
        var values = series.Points.Select(p => p.Value).Where(v => !double.IsNaN(v)).ToList();
        output.WriteLine($"VictoriaMetrics holds {values.Count} scrapes of the counter: {string.Join(", ", values)}");
        Assert.Equal(values.Order().ToList(), values); // a counter: forwarded in order
        Assert.All(values, v => Assert.Equal(0, v % 3));
        Assert.Equal(series.Points.Count, series.Points.Select(p => p.Timestamp).Distinct().Count()); // none twice
        var buckets = await tsdb.ExportAsync("demo_latency_seconds_bucket");
        Assert.Equal(["+Inf", "0.1", "0.5"], buckets.Select(b => b.Labels["le"]).Order(StringComparer.Ordinal).ToArray());

        // vmagent 1.79 parses no OpenMetrics exemplars (VictoriaMetrics stores none), so none arrive this way:
        // exemplars need Prometheus, the OpenTelemetry SDK/Collector or a newer vmagent as the sender.
        var exemplars = await ours.Http.GetStringAsync("api/v1/query_exemplars?query=demo_requests_total");
        output.WriteLine("query_exemplars after vmagent: " + exemplars);
    }

    [Fact]
    public async Task We_forward_to_vmagent_as_an_endpoint_and_it_relays_every_sample_once_to_VictoriaMetrics()
    {
        await using var tsdb = await VictoriaMetricsServer.StartAsync();
        await using var vmagent = await VmagentServer.StartAsync(tsdb.WriteUrl);
        await using var ours = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = vmagent.WriteUrl.ToString(),
        });
        const int requests = 40, seriesPerRequest = 10;
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        for (var r = 0; r < requests; r++)
        {
            var series = Enumerable.Range(0, seriesPerRequest).Select(s =>
                Series(("__name__", "relay_requests_total"), ("job", "relay"), ("series", s.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .WithSample(r, t0 + r * 1000).WithExemplar(r, t0 + r * 1000, ("trace_id", $"t{r}-{s}"))).ToArray();
            using var written = await ours.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
            Assert.Equal(HttpStatusCode.NoContent, written.StatusCode);
        }

        List<VictoriaMetricsServer.ExportedSeries> exported = [];
        var arrived = await KafkaTestData.EventuallyAsync(async () =>
        {
            exported = await tsdb.ExportAsync("relay_requests_total");
            return exported.Sum(s => s.Points.Count) >= requests * seriesPerRequest;
        }, Within);
        Assert.True(arrived, $"{exported.Sum(s => s.Points.Count)} of {requests * seriesPerRequest} samples reached VictoriaMetrics\n{vmagent.Log}");
        Assert.Equal(seriesPerRequest, exported.Count);
        foreach (var s in exported)
        {
            Assert.Equal(Enumerable.Range(0, requests).Select(r => (t0 + r * 1000, (double)r)).ToList(), s.Points);
        }
        // The exemplars stay with us: the relay and the TSDB only see samples.
        var exemplars = await ours.Http.GetStringAsync("api/v1/query_exemplars?query=relay_requests_total");
        Assert.Contains($"t{requests - 1}-0", exemplars);
    }
}
