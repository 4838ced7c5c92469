using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Sharding;

/// <summary>
/// Hot-metric sharding through the real API host and cluster: the same data written to an unsharded system and to a
/// sharded one must give byte-identical <c>query_exemplars</c> answers.
/// </summary>
public sealed class ShardedQueryTests
{
    private const long T0 = 1_700_000_000_000;

    /// <summary>Queries covering a name, a regex on the name, name-less selectors (catalog), label matchers, windows.</summary>
    private static readonly (string Query, long? Start, long? End)[] Queries =
    [
        ("http_requests_total", null, null),
        ("{__name__=~\"http_.*\"}", null, null),
        ("{job=\"api\"}", null, null),
        ("http_requests_total{code=~\"5..\"}", null, null),
        ("rate(http_requests_total{instance=\"i3\"}[5m]) or other_metric", null, null),
        ("{__name__=~\".+_bucket|other_metric\", code!=\"200\"}", null, null),
        ("http_requests_total", T0 + 2_000, T0 + 3_500),
        ("{job=~\"api|batch\"}", T0 + 4_000, T0 + 4_000),
        ("http_request_duration_seconds_bucket{le=\"0.5\"}", T0 - 10_000, T0 + 1_500),
    ];

    /// <summary>Three requests: 40 + 40 sharded series and 5 plain ones, five exemplars each, series interleaved.</summary>
    private static IEnumerable<WriteRequest> Data()
    {
        for (var round = 0; round < 3; round++)
        {
            var series = new List<TimeSeries>();
            for (var i = 0; i < 40; i++)
            {
                var code = (i % 4) switch { 0 => "200", 1 => "404", 2 => "500", _ => "503" };
                for (var e = round * 2; e < Math.Min(5, round * 2 + 2); e++)
                {
                    var ts = T0 + e * 1000L + i;
                    series.Add(Series(("__name__", "http_requests_total"), ("job", i % 2 == 0 ? "api" : "batch"),
                        ("instance", $"i{i}"), ("code", code)).WithSample(e, ts).WithExemplar(e, ts, ("trace_id", $"r{i}-{e}")));
                    series.Add(Series(("__name__", "http_request_duration_seconds_bucket"), ("job", "api"),
                        ("instance", $"i{i % 10}"), ("le", i < 20 ? "0.5" : "+Inf"), ("code", code))
                        .WithSample(e, ts).WithExemplar(0.1 * e, ts, ("trace_id", $"d{i}-{e}"), ("span_id", $"{e}")));
                }
            }
            for (var i = 0; i < 5 && round < 2; i++)
            {
                var ts = T0 + round * 1000L + i;
                series.Add(Series(("__name__", "other_metric"), ("job", "batch"), ("instance", $"o{i}"))
                    .WithSample(1, ts).WithExemplar(i, ts, ("trace_id", $"o{i}-{round}")));
            }
            yield return Request([.. series]);
        }
    }

    private static Dictionary<string, string?> Sharded(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sharding:Metrics:0:Match"] = "http_requests_.*",
            ["Sharding:Metrics:0:Shards"] = "8",
            ["Sharding:Metrics:1:Match"] = "http_request_duration_seconds_bucket",
            ["Sharding:Metrics:1:Shards"] = "8",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task The_same_data_gives_identical_answers_with_one_and_with_eight_shards()
    {
        var plainStart = ExemplarSystem.StartAsync();
        var shardedStart = ExemplarSystem.StartAsync(settings: Sharded());
        await using var plain = await plainStart;
        await using var sharded = await shardedStart;
        foreach (var request in Data())
        {
            await WriteAsync(plain, request);
            await WriteAsync(sharded, request);
        }
        await AssertSameAnswersAsync(plain, sharded, expectSeries: 85);

        // The pattern-configured metric really is spread over eight grains, each holding only its own series.
        var layout = await sharded.Client.Shard("http_requests_total").GetLayoutAsync("http_requests_total");
        Assert.NotNull(layout);
        Assert.False(layout.Unsharded);
        Assert.Equal(8, layout.ShardSpan);
        var total = 0;
        for (var k = 0; k < 8; k++)
        {
            var found = await sharded.Client.GetGrain<IMetricGrain>($"http_requests_total#{k}").SelectAsync(long.MinValue, long.MaxValue, [[]]);
            Assert.NotEmpty(found);
            Assert.All(found, s => Assert.Equal(k, MetricShardRouter.ShardOf(s.Series, 8)));
            total += found.Length;
        }
        Assert.Equal(40, total);
        Assert.Empty(await sharded.Client.GetGrain<IMetricGrain>("http_requests_total").SelectAsync(long.MinValue, long.MaxValue, [[]]));
        var other = await sharded.Client.Shard("other_metric").GetLayoutAsync("other_metric");
        Assert.Equal(new MetricLayout("other_metric", true, 0, 0), other);
    }

    [Fact]
    public async Task Past_the_series_threshold_a_metric_is_sharded_and_no_exemplar_is_lost_or_doubled()
    {
        var plainStart = ExemplarSystem.StartAsync();
        var autoStart = ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Sharding:AutoSeriesThreshold"] = "25",
            ["Sharding:AutoShards"] = "8",
            ["Sharding:RefreshInterval"] = "00:00:00.100",
        });
        await using var plain = await plainStart;
        await using var auto = await autoStart;

        var requests = Data().ToList();
        await WriteBothAsync(requests[0]); // 40 series each: over the threshold, but in the plain grains
        var layout = await auto.Client.Shard("http_requests_total").GetLayoutAsync("http_requests_total");
        Assert.Equal(new MetricLayout("http_requests_total", true, 0, 8), layout);
        Assert.Equal(new MetricLayout("other_metric", true, 0, 0),
            await auto.Client.Shard("other_metric").GetLayoutAsync("other_metric")); // 5 series: stays plain

        await Task.Delay(300); // the API host's router re-reads the catalog on its next write
        // A resend after the change lands on the new shards, which accept it again: the merge must show it once.
        await WriteBothAsync(requests[0]);
        await WriteBothAsync(requests[1]);
        await WriteBothAsync(requests[2]);

        layout = await auto.Client.Shard("http_requests_total").GetLayoutAsync("http_requests_total");
        Assert.Equal(new MetricLayout("http_requests_total", true, 8, 8), layout);
        Assert.NotEmpty(await auto.Client.GetGrain<IMetricGrain>("http_requests_total#0").SelectAsync(long.MinValue, long.MaxValue, [[]]));
        await AssertSameAnswersAsync(plain, auto, expectSeries: 85);

        var traceIds = await TraceIdsAsync(auto, "{__name__=~\"http_.*\"}");
        Assert.Equal(2 * 40 * 5, traceIds.Count);
        Assert.Equal(traceIds.Count, traceIds.Distinct().Count());

        async Task WriteBothAsync(WriteRequest request)
        {
            await WriteAsync(plain, request);
            await WriteAsync(auto, request);
        }
    }

    internal static async Task WriteAsync(ExemplarSystem system, WriteRequest request)
    {
        using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task AssertSameAnswersAsync(ExemplarSystem expected, ExemplarSystem actual, int expectSeries)
    {
        foreach (var (query, start, end) in Queries)
        {
            var want = await AnswerAsync(expected, query, start, end);
            var got = await AnswerAsync(actual, query, start, end);
            Assert.True(want == got, $"{query} [{start}, {end}]:\nunsharded {want}\nsharded   {got}");
            Assert.Contains("\"exemplars\"", want, StringComparison.Ordinal); // every query finds something
        }
        using var all = JsonDocument.Parse(await AnswerAsync(actual, "{job=~\".+\"}", null, null));
        Assert.Equal(expectSeries, all.RootElement.GetProperty("data").GetArrayLength());
    }

    private static async Task<List<string>> TraceIdsAsync(ExemplarSystem system, string query)
    {
        using var json = JsonDocument.Parse(await AnswerAsync(system, query, null, null));
        return json.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
            .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!).ToList();
    }

    private static async Task<string> AnswerAsync(ExemplarSystem system, string query, long? startMs, long? endMs)
    {
        var url = "api/v1/query_exemplars?query=" + Uri.EscapeDataString(query);
        if (startMs is { } s) url += "&start=" + (s / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        if (endMs is { } e) url += "&end=" + (e / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        using var response = await system.Http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        return body;
    }
}
