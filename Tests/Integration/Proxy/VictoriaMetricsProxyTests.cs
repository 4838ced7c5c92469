using System.Net;
using System.Net.Http.Headers;
using Xunit;
using static OrleansExemplars.Tests.Proxy.VictoriaMetricsProxyFixture;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>
/// Grafana's requests (GET with a query string, POST with a form body, decimal-second times, its headers) to
/// VictoriaMetrics directly and through the API host: status, content type, encoding and JSON body must be equal.
/// </summary>
public sealed class VictoriaMetricsProxyTests(VictoriaMetricsProxyFixture fixture) : IClassFixture<VictoriaMetricsProxyFixture>
{
    private string Start => Seconds(fixture.T0 - 1_000);
    private string End => Seconds(fixture.TEnd + 1_000);
    private string Mid => Seconds(fixture.T0 + 10 * StepMs + 500);

    public static TheoryData<string> Queries() =>
    [
        "http_requests_total",
        "sum by (job, path) (rate(http_requests_total[1m]))",
        "node_load1 > 1",
        "topk(1, http_requests_total{path=~\"/u.*\"})",
        "count({__name__=~\"http_.*|node_.*\"}) by (__name__)",
        "rate(http_requests_total[", // a parse error: the TSDB's own error status and body
        "absent(nonexistent_metric)",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Instant_query_GET_and_POST_match(string query)
    {
        var parameters = new Dictionary<string, string> { ["query"] = query, ["time"] = Mid };
        await SameGetAsync("api/v1/query", parameters);
        await SamePostAsync("api/v1/query", parameters);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Range_query_GET_and_POST_match(string query)
    {
        var parameters = new Dictionary<string, string> { ["query"] = query, ["start"] = Start, ["end"] = End, ["step"] = "15" };
        await SameGetAsync("api/v1/query_range", parameters);
        await SamePostAsync("api/v1/query_range", parameters);
    }

    [Fact]
    public async Task Labels_label_values_and_series_match()
    {
        var window = new Dictionary<string, string> { ["start"] = Start, ["end"] = End };
        await SameGetAsync("api/v1/labels", window);
        await SamePostAsync("api/v1/labels", window);
        await SameGetAsync("api/v1/label/job/values", window);
        await SameGetAsync("api/v1/label/__name__/values", window);
        await SameGetAsync("api/v1/label/path/values", new Dictionary<string, string>(window) { ["match[]"] = "http_requests_total{instance=\"a:80\"}" });
        var series = new List<KeyValuePair<string, string>>
        {
            new("match[]", "http_requests_total{path=\"/users\"}"), new("match[]", "node_load1"),
            new("start", Start), new("end", End),
        };
        await SameGetAsync("api/v1/series", series);
        await SamePostAsync("api/v1/series", series);
    }

    [Fact]
    public async Task Buildinfo_metadata_and_status_match()
    {
        await SameGetAsync("api/v1/status/buildinfo", []);
        await SameGetAsync("api/v1/metadata", []);
        await SameGetAsync("api/v1/status/tsdb", []);
    }

    [Fact]
    public async Task A_path_outside_the_read_api_is_refused_here_not_answered_by_VictoriaMetrics()
    {
        using var direct = await fixture.Tsdb.Http.GetAsync("api/v1/no_such_endpoint?x=1");
        using var proxied = await fixture.Ours.Http.GetAsync("api/v1/no_such_endpoint?x=1");
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode); // VictoriaMetrics' own answer, for contrast
        Assert.Equal(HttpStatusCode.Forbidden, proxied.StatusCode);
        Assert.Contains("/api/v1/no_such_endpoint", await ProxyAssert.PrometheusErrorAsync(proxied, "forbidden"));
    }

    [Fact]
    public async Task A_gzipped_answer_is_passed_on_compressed()
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler);
        var url = "api/v1/query_range?" + Query([new("query", "http_requests_total"), new("start", Start), new("end", End), new("step", "15")]);
        HttpRequestMessage Request(Uri baseAddress)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, url));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            return request;
        }
        using var direct = await client.SendAsync(Request(fixture.Tsdb.BaseAddress));
        using var proxied = await client.SendAsync(Request(fixture.Ours.BaseAddress));
        Assert.Contains("gzip", direct.Content.Headers.ContentEncoding); // else this test proves nothing
        await ProxyAssert.SameAnswerAsync(direct, proxied, url);
    }

    [Fact]
    public async Task Exemplar_queries_stay_local_while_the_rest_is_proxied()
    {
        // VictoriaMetrics drops exemplars: its own answer is empty, ours has what went through /api/v1/write.
        var url = "api/v1/query_exemplars?query=http_requests_total&start=" + Start + "&end=" + End;
        var theirs = await fixture.Tsdb.Http.GetStringAsync(url);
        var ours = await fixture.Ours.Http.GetStringAsync(url);
        Assert.DoesNotContain("trace-", theirs);
        foreach (var id in new[] { "trace-0-0", "trace-1-5", "trace-2-20" }) Assert.Contains(id, ours);
    }

    private async Task SameGetAsync(string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var url = path + "?" + Query(parameters);
        using var direct = await fixture.Tsdb.Http.SendAsync(Grafana(HttpMethod.Get, url));
        using var proxied = await fixture.Ours.Http.SendAsync(Grafana(HttpMethod.Get, url));
        await ProxyAssert.SameAnswerAsync(direct, proxied, "GET " + url);
    }

    private async Task SamePostAsync(string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        HttpRequestMessage Post()
        {
            var request = Grafana(HttpMethod.Post, path);
            request.Content = new FormUrlEncodedContent(parameters);
            return request;
        }
        using var direct = await fixture.Tsdb.Http.SendAsync(Post());
        using var proxied = await fixture.Ours.Http.SendAsync(Post());
        await ProxyAssert.SameAnswerAsync(direct, proxied, "POST " + path + " " + Query(parameters));
    }

    /// <summary>The headers Grafana's Prometheus datasource sends with its requests.</summary>
    private static HttpRequestMessage Grafana(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.ParseAdd("Grafana/11.3.0");
        request.Headers.Accept.ParseAdd("application/json, text/plain, */*");
        request.Headers.Add("X-Grafana-Org-Id", "1");
        return request;
    }

    private static string Query(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
}
