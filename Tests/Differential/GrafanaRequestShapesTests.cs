using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansExemplars.ApiHost.Http;
using Xunit;

namespace OrleansExemplars.Tests.Differential;

/// <summary>
/// The requests Grafana's Prometheus datasource really sends, replayed to Prometheus 2.42 and to us. Its exemplar
/// availability probe asks <c>query_exemplars?query=test</c> with start/end in milliseconds (JavaScript's
/// <c>valueOf()</c>) through the datasource's resource path, as a form POST and, when refused, as a GET; its data
/// queries come from the Go client (a form POST, times as decimal seconds aligned to the step), one per histogram
/// metric of the panel. Then <c>limit</c>, which Prometheus 2.42 does not have: only ours is asked.
/// </summary>
public sealed class GrafanaRequestShapesTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    [Fact]
    public async Task The_availability_probe_in_milliseconds_succeeds_as_in_Prometheus_by_post_and_by_get()
    {
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var form = new Dictionary<string, string>
        {
            ["query"] = "test",
            ["start"] = (nowMs - 30 * 60 * 1000).ToString(CultureInfo.InvariantCulture),
            ["end"] = nowMs.ToString(CultureInfo.InvariantCulture),
        };
        var url = "api/v1/query_exemplars?" + string.Join("&", form.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        foreach (var (name, send) in new (string, Func<HttpClient, Task<HttpResponseMessage>>)[]
                 {
                     ("POST", c => c.PostAsync("api/v1/query_exemplars", new FormUrlEncodedContent(form))),
                     ("GET", c => c.GetAsync(url)),
                 })
        {
            using var theirs = await send(fixture.Prometheus.Http);
            using var ours = await send(fixture.Ours.Http);
            var theirBody = await theirs.Content.ReadAsStringAsync();
            var ourBody = await ours.Content.ReadAsStringAsync();
            Assert.True(theirs.StatusCode == HttpStatusCode.OK, $"Prometheus answered the {name} probe {(int)theirs.StatusCode} {theirBody}");
            Assert.True(ours.StatusCode == HttpStatusCode.OK, $"we answered the {name} probe {(int)ours.StatusCode} {ourBody}");
            using var json = JsonDocument.Parse(ourBody);
            Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(ExemplarAnswers.Normalize(JsonDocument.Parse(theirBody).RootElement), ExemplarAnswers.Normalize(json.RootElement));
        }
    }

    [Fact]
    public async Task A_panels_exemplar_queries_aligned_to_the_step_match_Prometheus()
    {
        const long stepMs = 15_000;
        // Grafana widens the range to whole steps and sends the Go client's decimal seconds.
        var start = (fixture.T0 - 3_600_000) / stepMs * stepMs;
        var end = (fixture.T0 + 5_000 + stepMs - 1) / stepMs * stepMs;
        string[] panel =
        [
            "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job=\"api\"}[1m0s])))",
            "histogram_quantile(0.5, sum by (le, service) (rate(rpc_latency_seconds[1m0s])))",
            "sum(rate(jobs_total[1m0s]))",
        ];
        foreach (var query in panel)
        {
            var form = new Dictionary<string, string>
            {
                ["query"] = query,
                ["start"] = GoSeconds(start),
                ["end"] = GoSeconds(end),
            };
            using var theirs = await fixture.Prometheus.Http.PostAsync("api/v1/query_exemplars", new FormUrlEncodedContent(form));
            using var ours = await fixture.Ours.Http.PostAsync("api/v1/query_exemplars", new FormUrlEncodedContent(form));
            await ExemplarAnswers.AssertSameAsync(theirs, ours, query);
        }
    }

    [Fact]
    public async Task Limit_keeps_the_newest_exemplars_and_says_the_answer_was_truncated()
    {
        const string query = "{__name__=~\".+\"}";
        var all = await AskAsync(query, null);
        var everything = Exemplars(all.Json);
        Assert.True(everything.Count > 3, "the corpus is too small for a limit");
        Assert.False(all.Json.RootElement.TryGetProperty("warnings", out _));

        var newest = everything.OrderByDescending(e => e.Timestamp).Take(3).ToList();
        Assert.True(everything.Count(e => e.Timestamp >= newest[^1].Timestamp) == 3, "ties at the cut: pick another limit");
        var limited = await AskAsync(query, "3");
        var kept = Exemplars(limited.Json);
        Assert.Equal(newest.Select(e => e.Key).Order(StringComparer.Ordinal), kept.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(limited.Json.RootElement.GetProperty("data").EnumerateArray(),
            s => Assert.NotEqual(0, s.GetProperty("exemplars").GetArrayLength())); // no series left empty
        Assert.Equal(new[] { ExemplarLimit.TruncatedWarning },
            limited.Json.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString() ?? "").ToArray());

        foreach (var noLimit in new[] { "0", everything.Count.ToString(CultureInfo.InvariantCulture) })
        {
            var same = await AskAsync(query, noLimit);
            Assert.Equal(ExemplarAnswers.Normalize(all.Json.RootElement), ExemplarAnswers.Normalize(same.Json.RootElement));
            Assert.False(same.Json.RootElement.TryGetProperty("warnings", out _), $"limit={noLimit} truncated nothing");
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("1.5")]
    public async Task A_bad_limit_is_bad_data(string limit)
    {
        using var response = await fixture.Ours.Http.GetAsync($"api/v1/query_exemplars?query=jobs_total&limit={Uri.EscapeDataString(limit)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("limit", json.RootElement.GetProperty("error").GetString());
    }

    /// <summary>Go's <c>strconv.FormatFloat(seconds, 'f', -1, 64)</c>: the shortest decimal, no exponent.</summary>
    private static string GoSeconds(long ms) => (ms / 1000m).ToString(CultureInfo.InvariantCulture);

    private async Task<(HttpStatusCode Status, JsonDocument Json)> AskAsync(string query, string? limit)
    {
        var form = new Dictionary<string, string> { ["query"] = query };
        if (limit is not null) form["limit"] = limit;
        using var response = await fixture.Ours.Http.PostAsync("api/v1/query_exemplars", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return (response.StatusCode, JsonDocument.Parse(body));
    }

    private static List<(string Key, decimal Timestamp)> Exemplars(JsonDocument answer) =>
        answer.RootElement.GetProperty("data").EnumerateArray().SelectMany(s => s.GetProperty("exemplars").EnumerateArray().Select(e =>
            (s.GetProperty("seriesLabels").GetRawText() + e.GetProperty("labels").GetRawText(),
             decimal.Parse(e.GetProperty("timestamp").GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)))).ToList();
}
