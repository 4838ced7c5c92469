using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>
/// A reader of the API host cannot change the TSDB through the proxy: the write and admin APIs of a real
/// VictoriaMetrics and of a real Prometheus (admin API on) are refused with a Prometheus error body, what they held is
/// still there when asked directly, nothing is imported, and the read API still passes.
/// </summary>
public sealed class ReadOnlyProxyTests
{
    private const string ReaderToken = "reader-token-4b1e92";

    /// <summary>The user's view: status and Prometheus error body of each refused request, for the failure message.</summary>
    private sealed record Attempt(string Method, string Path, HttpStatusCode Status, string Body);

    [Fact]
    public async Task VictoriaMetrics_delete_and_import_are_refused_and_its_data_stays()
    {
        await using var tsdb = await VictoriaMetricsServer.StartAsync();
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        using (var seeded = await tsdb.Http.PostAsync("api/v1/import", new StringContent(ImportLine("victim_metric", 42, t))))
        {
            Assert.Equal(HttpStatusCode.NoContent, seeded.StatusCode);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await SeriesCountAsync(tsdb, "victim_metric", t) != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "VictoriaMetrics never showed the imported series\n" + tsdb.Log);
            await Task.Delay(200);
        }
        await using var ours = await ReaderSystemAsync(tsdb.BaseAddress);

        var attempts = new List<Attempt>
        {
            await SendAsync(ours, HttpMethod.Post, "api/v1/admin/tsdb/delete_series?match[]=victim_metric"),
            await SendAsync(ours, HttpMethod.Get, "api/v1/admin/tsdb/delete_series?match[]=victim_metric"),
            await SendAsync(ours, HttpMethod.Post, "api/v1/admin/tsdb/delete_series", Form(("match[]", "victim_metric"))),
            // An encoded slash is not a path separator here, but a Go server decodes it into one.
            await SendAsync(ours, HttpMethod.Get, "api/v1/label/x%2F..%2F..%2Fadmin%2Ftsdb%2Fdelete_series/values?match[]=victim_metric"),
            await SendAsync(ours, HttpMethod.Delete, "api/v1/series?match[]=victim_metric"),
            await SendAsync(ours, HttpMethod.Post, "api/v1/import", new StringContent(ImportLine("smuggled_metric", 1, t))),
            await SendAsync(ours, HttpMethod.Post, "api/v1/import/prometheus", new StringContent($"smuggled_metric{{via=\"text\"}} 1 {t}\n")),
            await SendAsync(ours, HttpMethod.Get, "api/v1/export?match[]=victim_metric"),
        };

        // What a user checks first: the data is still in VictoriaMetrics and nothing was imported.
        Assert.True(await SeriesCountAsync(tsdb, "victim_metric", t) == 1, "victim_metric was deleted through the proxy: " + Describe(attempts));
        Assert.True(await SeriesCountAsync(tsdb, "smuggled_metric", t) == 0, "smuggled_metric was imported through the proxy: " + Describe(attempts));
        foreach (var attempt in attempts)
        {
            Assert.True(attempt.Status is HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed, Describe([attempt]));
            AssertPrometheusError(attempt);
        }

        // The read API still passes, for the same reader.
        var query = await SendAsync(ours, HttpMethod.Get, $"api/v1/query?query=victim_metric&time={t / 1000.0:0.###}");
        Assert.Equal(HttpStatusCode.OK, query.Status);
        Assert.Contains("\"42\"", query.Body);
        var names = await SendAsync(ours, HttpMethod.Get, "api/v1/label/__name__/values");
        Assert.Contains("victim_metric", names.Body);
        var series = await SendAsync(ours, HttpMethod.Post, "api/v1/series", Form(("match[]", "victim_metric"), ("start", "0")));
        Assert.Equal(HttpStatusCode.OK, series.Status);
        Assert.Contains("victim_metric", series.Body);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(ours, HttpMethod.Get, "api/v1/status/buildinfo")).Status);
    }

    [Fact]
    public async Task Prometheus_admin_api_is_refused_and_its_data_stays()
    {
        await using var prometheus = await PrometheusServer.StartAsync(extraArguments: ["--web.enable-admin-api"]);
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        using (var seeded = await prometheus.Http.PostAsync("api/v1/write",
                   SnappyContent(Request(Series(("__name__", "victim_metric"), ("job", "p")).WithSample(42, t)))))
        {
            Assert.Equal(HttpStatusCode.NoContent, seeded.StatusCode);
        }
        var at = (t / 1000.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("\"42\"", await prometheus.Http.GetStringAsync($"api/v1/query?query=victim_metric&time={at}"));
        await using var ours = await ReaderSystemAsync(prometheus.BaseAddress);

        var attempts = new List<Attempt>
        {
            await SendAsync(ours, HttpMethod.Post, "api/v1/admin/tsdb/delete_series?match[]=victim_metric"),
            await SendAsync(ours, HttpMethod.Put, "api/v1/admin/tsdb/delete_series?match[]=victim_metric"),
            await SendAsync(ours, HttpMethod.Post, "api/v1/admin/tsdb/clean_tombstones"),
            await SendAsync(ours, HttpMethod.Post, "api/v1/admin/tsdb/snapshot"),
        };

        var direct = await prometheus.Http.GetStringAsync($"api/v1/query?query=victim_metric&time={at}");
        Assert.True(direct.Contains("\"42\"", StringComparison.Ordinal), $"victim_metric is gone from Prometheus ({direct}): " + Describe(attempts));
        foreach (var attempt in attempts)
        {
            Assert.True(attempt.Status == HttpStatusCode.Forbidden, Describe([attempt]));
            AssertPrometheusError(attempt);
        }
        var query = await SendAsync(ours, HttpMethod.Post, "api/v1/query", Form(("query", "victim_metric"), ("time", at)));
        Assert.Equal(HttpStatusCode.OK, query.Status);
        Assert.Contains("\"42\"", query.Body);
    }

    [Fact]
    public async Task A_tenant_header_reaches_the_upstream_only_when_configured()
    {
        await using var upstream = await LoopbackUpstream.StartAsync();
        HttpRequestMessage Query()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/query?query=up");
            request.Headers.TryAddWithoutValidation("X-Scope-OrgID", "tenant-a");
            request.Headers.TryAddWithoutValidation("THANOS-TENANT", "tenant-b");
            request.Headers.TryAddWithoutValidation("X-Custom-Routing", "shard-9");
            request.Headers.UserAgent.ParseAdd("Grafana/11.3.0");
            return request;
        }

        await using (var plain = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
                     {
                         ["Query:UpstreamUrl"] = upstream.BaseAddress.ToString(),
                     }))
        {
            using var response = await plain.Http.SendAsync(Query());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var got = upstream.Requests[^1];
            Assert.Null(got.Header("X-Scope-OrgID"));
            Assert.Null(got.Header("THANOS-TENANT"));
            Assert.Null(got.Header("X-Custom-Routing"));
            Assert.Equal("Grafana/11.3.0", got.Header("User-Agent"));
        }

        await using (var tenanted = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
                     {
                         ["Query:UpstreamUrl"] = upstream.BaseAddress.ToString(),
                         ["Query:TenantHeader"] = "X-Scope-OrgID",
                     }))
        {
            using var response = await tenanted.Http.SendAsync(Query());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var got = upstream.Requests[^1];
            Assert.Equal("tenant-a", got.Header("X-Scope-OrgID"));
            Assert.Null(got.Header("THANOS-TENANT"));
            Assert.Null(got.Header("X-Custom-Routing"));
        }
    }

    [Fact]
    public async Task A_VictoriaMetrics_tenant_path_comes_from_the_configured_header_and_nothing_else()
    {
        await using var upstream = await LoopbackUpstream.StartAsync();
        await using var ours = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Query:UpstreamUrl"] = upstream.BaseAddress + "select/{tenant}/prometheus",
            ["Query:TenantHeader"] = "X-Scope-OrgID",
        });
        async Task<HttpResponseMessage> QueryAs(string? tenant)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/query?query=up");
            if (tenant is not null) request.Headers.TryAddWithoutValidation("X-Scope-OrgID", tenant);
            return await ours.Http.SendAsync(request);
        }

        using (var ok = await QueryAs("42:7"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("/select/42:7/prometheus/api/v1/query", upstream.Requests[^1].Path);
        }
        var before = upstream.Requests.Count;
        foreach (var bad in new string?[] { null, "1/../../admin", "tenant-a", "" })
        {
            using var refused = await QueryAs(bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("X-Scope-OrgID", await ProxyAssert.PrometheusErrorAsync(refused, "bad_data"));
        }
        Assert.Equal(before, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_tenant_placeholder_without_a_tenant_header_fails_start_up_naming_both_keys()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Query:UpstreamUrl"] = "http://vmselect:8481/select/{tenant}/prometheus",
            });
        });
        var message = e.ToString();
        Assert.Contains("Query:UpstreamUrl", message);
        Assert.Contains("Query:TenantHeader", message);
    }

    private static async Task<ExemplarSystem> ReaderSystemAsync(Uri upstream) =>
        await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Query:UpstreamUrl"] = upstream.ToString(),
            ["Auth:Read:BearerTokens:0"] = ReaderToken,
        });

    private static async Task<Attempt> SendAsync(ExemplarSystem system, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderToken);
        using var response = await system.Http.SendAsync(request);
        return new Attempt(method.Method, path, response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertPrometheusError(Attempt attempt)
    {
        var json = JsonNode.Parse(attempt.Body);
        Assert.True(json?["status"]?.GetValue<string>() == "error" && json["errorType"] is not null &&
                    !string.IsNullOrEmpty(json["error"]?.GetValue<string>()), "not a Prometheus error body: " + Describe([attempt]));
    }

    private static string Describe(IEnumerable<Attempt> attempts) =>
        string.Join("\n  ", attempts.Select(a => $"{a.Method} {a.Path} -> {(int)a.Status} {a.Body}"));

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static string ImportLine(string metric, double value, long t) =>
        $"{{\"metric\":{{\"__name__\":\"{metric}\",\"job\":\"vm\"}},\"values\":[{value}],\"timestamps\":[{t}]}}\n";

    /// <summary>Series of <paramref name="metric"/> VictoriaMetrics holds around <paramref name="t"/>, asked directly.</summary>
    private static async Task<int> SeriesCountAsync(VictoriaMetricsServer tsdb, string metric, long t)
    {
        using (await tsdb.Http.GetAsync("internal/force_flush")) { }
        var url = $"api/v1/series?match[]={metric}&start={t / 1000 - 600}&end={t / 1000 + 600}";
        return JsonNode.Parse(await tsdb.Http.GetStringAsync(url))!["data"]!.AsArray().Count;
    }
}
