using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>
/// A real VictoriaMetrics behind our system as Grafana's one datasource would see it: the API host forwards remote
/// write to it (<c>RemoteWrite:Endpoints:0:Url</c>) and proxies the Prometheus API to it (<c>Query:UpstreamUrl</c>).
/// Five minutes of samples of a few series (some with exemplars) go in through the API host.
/// </summary>
public sealed class VictoriaMetricsProxyFixture : IAsyncLifetime
{
    public VictoriaMetricsServer Tsdb { get; private set; } = null!;
    public ExemplarSystem Ours { get; private set; } = null!;

    /// <summary>First sample time in ms: recent (inside any retention), not a whole second.</summary>
    public long T0 { get; } = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 900_000) / 1000 * 1000 + 250;

    public const int Points = 21;
    public const long StepMs = 15_000;
    public long TEnd => T0 + (Points - 1) * StepMs;

    public static readonly (string, string)[][] SeriesLabels =
    [
        [("__name__", "http_requests_total"), ("job", "api"), ("instance", "a:80"), ("path", "/users")],
        [("__name__", "http_requests_total"), ("job", "api"), ("instance", "b:80"), ("path", "/users")],
        [("__name__", "http_requests_total"), ("job", "api"), ("instance", "a:80"), ("path", "/orders")],
        [("__name__", "node_load1"), ("job", "node"), ("instance", "a:9100")],
    ];

    public async Task InitializeAsync()
    {
        Tsdb = await VictoriaMetricsServer.StartAsync();
        Ours = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Query:UpstreamUrl"] = Tsdb.BaseAddress.ToString(),
            ["RemoteWrite:Endpoints:0:Url"] = Tsdb.WriteUrl.ToString(),
        });
        var series = new List<TimeSeries>();
        for (var s = 0; s < SeriesLabels.Length; s++)
        {
            var ts = Series(SeriesLabels[s]);
            for (var i = 0; i < Points; i++)
            {
                var t = T0 + i * StepMs;
                // No two series equal at any time: topk/bottomk ties would make VictoriaMetrics' own answers differ.
                ts.WithSample(s == 3 ? 0.5 + (i % 7) * 0.25 : (s + 1) * i * 3.5 + s, t);
                if (s < 3 && i % 5 == 0) ts.WithExemplar(0.1 * (i + 1), t, ("trace_id", $"trace-{s}-{i}"));
            }
            series.Add(ts);
        }
        using (var written = await Ours.Http.PostAsync("api/v1/write", SnappyContent(Request([.. series]))))
        {
            Assert.Equal(HttpStatusCode.NoContent, written.StatusCode);
        }
        // 204 means VictoriaMetrics accepted the samples; make them searchable and wait until they are.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using (await Tsdb.Http.GetAsync("internal/force_flush")) { }
            var body = await Tsdb.Http.GetStringAsync(
                $"api/v1/series?match[]={Uri.EscapeDataString("{job=~\"api|node\"}")}&start={Seconds(T0)}&end={Seconds(TEnd)}");
            if (JsonNode.Parse(body)!["data"]!.AsArray().Count == SeriesLabels.Length) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"VictoriaMetrics never showed the series: {body}\n{Tsdb.Log}");
            await Task.Delay(200);
        }
    }

    public static string Seconds(long ms) => (ms / 1000m).ToString(CultureInfo.InvariantCulture);

    public async Task DisposeAsync()
    {
        if (Ours is not null) await Ours.DisposeAsync();
        if (Tsdb is not null) await Tsdb.DisposeAsync();
    }
}
