using System.Globalization;
using Xunit;

namespace OrleansExemplars.Tests.Differential;

/// <summary>
/// The same <c>query_exemplars</c> requests to Prometheus 2.42 and to us: status, and for 200 the whole answer
/// (series sorted; values and timestamps compared as numbers) must be equal; errors must both be bad_data.
/// </summary>
public sealed class QueryExemplarsDifferentialTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    public static TheoryData<string, string?, string?> Queries()
    {
        var data = new TheoryData<string, string?, string?>();
        string[] queries =
        [
            "http_request_duration_seconds_bucket",
            "{job=\"api\"}",
            "rate(http_request_duration_seconds_bucket[5m])",
            "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{path=\"/users\"}[5m])))",
            "{__name__=~\"rpc.*|queue_depth\"}",
            "rpc_latency_seconds{region=\"中文-東京 🚀\"} or queue_depth",
            "queue_depth{note=~\".*\\\"q\\\"\"}",
            "queue_depth{note=~\"line1\\\\\\\\nback.*\"}",
            "{job!=\"api\", __name__=~\".+\"}",
            "jobs_total",
            "sum(rate({__name__=~\"http.*\", le!=\"+Inf\"}[1m])) / on() group_left count(queue_depth offset 5m)",
            "rpc_latency_seconds[5m:1m] @ end()",
            "nonexistent_metric",
            "http_request_duration_seconds_bucket{le=~\"0.1|\\\\+Inf\"}",
            "{__name__=\"queue_depth\", queue!~\"x.*\"}",
        ];
        foreach (var q in queries)
        {
            data.Add(q, null, null);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Query_over_all_time_matches_Prometheus(string query, string? start, string? end) =>
        await AssertSameAnswerAsync(query, start, end);

    [Theory]
    [InlineData("{__name__=~\".+\"}", 1, 5)]
    [InlineData("{__name__=~\".+\"}", 0, 2)]
    [InlineData("{__name__=~\".+\"}", 1001, 2011)]
    [InlineData("queue_depth or rpc_latency_seconds", 5, 1010)]
    [InlineData("http_request_duration_seconds_bucket", 2001, 2001)]
    public async Task Query_over_a_window_matches_Prometheus(string query, long fromOffsetMs, long toOffsetMs)
    {
        var start = Seconds(fixture.T0 + fromOffsetMs);
        var end = Seconds(fixture.T0 + toOffsetMs);
        await AssertSameAnswerAsync(query, start, end);
    }

    [Fact]
    public async Task Rfc3339_window_matches_Prometheus()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(fixture.T0 + 2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var end = DateTimeOffset.FromUnixTimeMilliseconds(fixture.T0 + 1004).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz");
        await AssertSameAnswerAsync("{__name__=~\".+\"}", start, end);
    }

    [Fact]
    public async Task Open_ended_windows_match_Prometheus()
    {
        await AssertSameAnswerAsync("{__name__=~\".+\"}", Seconds(fixture.T0 + 1005), null);
        await AssertSameAnswerAsync("{__name__=~\".+\"}", null, Seconds(fixture.T0 + 4));
    }

    [Theory]
    [InlineData("up", "abc", null)]
    [InlineData("up", null, "2021-13-01T00:00:00Z")]
    [InlineData("up", "1632980402", "1632980302")]
    [InlineData("rate(", null, null)]
    [InlineData("", null, null)]
    [InlineData("{a=\"\"}", null, null)]
    [InlineData("sum(", null, null)]
    [InlineData("{a=~\"(\"}", null, null)]
    [InlineData("foo{__name__=\"bar\"}", null, null)]
    [InlineData("rate(http_request_duration_seconds_bucket)", null, null)]
    public async Task Bad_requests_are_bad_data_in_both(string query, string? start, string? end) =>
        await AssertSameAnswerAsync(query, start, end);

    [Theory]
    [InlineData("1+1")]
    [InlineData("time()")]
    public async Task A_query_without_selectors_is_204_in_both(string query) =>
        await AssertSameAnswerAsync(query, null, null);

    [Fact]
    public async Task Form_body_post_matches_Prometheus()
    {
        var form = new Dictionary<string, string>
        {
            ["query"] = "{__name__=~\"queue_depth|jobs_total\"}",
            ["start"] = Seconds(fixture.T0 - 1),
            ["end"] = Seconds(fixture.T0 + 5000),
        };
        using var theirs = await fixture.Prometheus.Http.PostAsync("api/v1/query_exemplars", new FormUrlEncodedContent(form));
        using var ours = await fixture.Ours.Http.PostAsync("api/v1/query_exemplars", new FormUrlEncodedContent(form));
        await AssertSameAsync(theirs, ours, "form POST");
    }

    private static string Seconds(long ms) => (ms / 1000m).ToString(CultureInfo.InvariantCulture);

    private async Task AssertSameAnswerAsync(string query, string? start, string? end)
    {
        var url = "api/v1/query_exemplars?query=" + Uri.EscapeDataString(query) +
                  (start is null ? "" : "&start=" + Uri.EscapeDataString(start)) +
                  (end is null ? "" : "&end=" + Uri.EscapeDataString(end));
        using var theirs = await fixture.Prometheus.Http.GetAsync(url);
        using var ours = await fixture.Ours.Http.GetAsync(url);
        await AssertSameAsync(theirs, ours, url);
    }

    private static Task AssertSameAsync(HttpResponseMessage theirs, HttpResponseMessage ours, string what) =>
        ExemplarAnswers.AssertSameAsync(theirs, ours, what);
}
