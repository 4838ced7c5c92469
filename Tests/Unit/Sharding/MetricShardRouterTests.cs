using System.ComponentModel.DataAnnotations;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Sharding;

/// <summary>The routing rule of hot-metric sharding, without a silo.</summary>
public sealed class MetricShardRouterTests
{
    private static LabelSet SeriesOf(string metric, int i) => LabelSet.From(("__name__", metric), ("instance", $"i{i}"));

    private static SeriesExemplars Entry(string metric, int i, long ts) =>
        new(SeriesOf(metric, i), [new Exemplar(LabelSet.From(("trace_id", $"{metric}-{i}-{ts}")), i, ts, true)]);

    private static MetricShardRouter Router(params (string Match, int Shards)[] patterns) =>
        new(new ShardingOptions { Metrics = patterns.Select(p => new ShardPattern { Match = p.Match, Shards = p.Shards }).ToList() });

    [Fact]
    public void Patterns_match_whole_names_and_the_first_match_wins()
    {
        var router = Router(("http_requests_.*", 8), ("http_.*", 4), ("exact_name", 2));
        Assert.Equal(8, router.ShardsOf("http_requests_total"));
        Assert.Equal(4, router.ShardsOf("http_latency"));
        Assert.Equal(2, router.ShardsOf("exact_name"));
        Assert.Equal(1, router.ShardsOf("exact_name_total")); // anchored, as Prometheus anchors =~
        Assert.Equal(1, router.ShardsOf("my_http_requests_total"));
    }

    [Fact]
    public void Automatic_counts_apply_only_where_no_pattern_matches()
    {
        var router = Router(("pinned", 1)).WithAutomatic(new Dictionary<string, int> { ["hot"] = 8, ["pinned"] = 8 });
        Assert.Equal(8, router.ShardsOf("hot"));
        Assert.Equal(1, router.ShardsOf("pinned"));
        Assert.Equal(1, router.ShardsOf("cold"));
    }

    [Fact]
    public void Keys_round_trip_and_plain_names_stay_plain()
    {
        Assert.Equal("m#3", MetricShardRouter.ShardKey("m", 3));
        Assert.Equal(("m", 3), MetricShardRouter.ParseKey("m#3"));
        Assert.Equal(("a:b#c", -1), MetricShardRouter.ParseKey("a:b#c"));
        Assert.Equal(("plain_metric", -1), MetricShardRouter.ParseKey("plain_metric"));
        Assert.Equal(("#7", -1), MetricShardRouter.ParseKey("#7"));
        // A key ending in '#' is the plain grain of a name with '#' in it (UTF-8 names may hold one).
        Assert.Equal(("m", -1), MetricShardRouter.ParseKey("m#"));
        Assert.Equal("m", MetricShardRouter.GrainKeyOf("m", SeriesOf("m", 1), 1));
    }

    [Theory]
    [InlineData("plain_metric", "plain_metric")]
    [InlineData("http.server.request.duration", "http.server.request.duration")]
    [InlineData("a/b:c", "a/b:c")]
    [InlineData("a#b", "a#b")]
    [InlineData("#7", "#7")]
    [InlineData("a#99999", "a#99999")]
    [InlineData("a#3", "a#3#")]
    [InlineData("m#", "m##")]
    [InlineData("#", "##")]
    [InlineData("指標#0", "指標#0#")]
    public void UTF8_names_with_a_hash_get_keys_that_read_back_as_their_own(string metric, string plainKey)
    {
        Assert.Equal(plainKey, MetricShardRouter.PlainKey(metric));
        Assert.Equal(plainKey, MetricShardRouter.GrainKeyOf(metric, SeriesOf(metric, 1), 1));
        Assert.Equal((metric, -1), MetricShardRouter.ParseKey(plainKey));
        for (var shard = 0; shard < 3; shard++)
        {
            Assert.Equal((metric, shard), MetricShardRouter.ParseKey(MetricShardRouter.ShardKey(metric, shard)));
        }
        Assert.Equal([plainKey, MetricShardRouter.ShardKey(metric, 0)],
            new MetricLayout(metric, Unsharded: true, ShardSpan: 1, AutoShards: 0).GrainKeys());
        // Regrouped for ingest under the same key.
        var series = new SeriesExemplars(SeriesOf(metric, 1), []);
        Assert.Equal([plainKey], Router().Route([new(metric, [series])]).Keys);
    }

    [Fact]
    public void A_series_always_goes_to_the_same_shard_and_the_series_spread_over_all()
    {
        var router = Router(("hot", 8));
        var keys = Enumerable.Range(0, 200).Select(i => router.GrainKeyOf("hot", SeriesOf("hot", i))).ToList();
        Assert.Equal(keys, Enumerable.Range(0, 200).Select(i => router.GrainKeyOf("hot", SeriesOf("hot", i))));
        Assert.Equal(Enumerable.Range(0, 8).Select(k => $"hot#{k}"), keys.Distinct().Order(StringComparer.Ordinal));
        // The hash is part of the stored layout: pin it so a change cannot slip in unnoticed.
        Assert.Equal(ForwardShardingValue(SeriesOf("hot", 0)), MetricShardRouter.ShardOf(SeriesOf("hot", 0), 8));
    }

    private static int ForwardShardingValue(LabelSet series) => GrainInterfaces.ForwardSharding.ShardOf(series, 8);

    [Fact]
    public void Route_groups_by_grain_and_keeps_each_grains_series_in_order()
    {
        var router = Router(("hot", 4));
        var byMetric = new Dictionary<string, List<SeriesExemplars>>
        {
            ["hot"] = Enumerable.Range(0, 40).Select(i => Entry("hot", i % 10, i)).ToList(),
            ["cold"] = [Entry("cold", 0, 1), Entry("cold", 1, 2)],
        };
        var routed = router.Route(byMetric);

        Assert.Same(byMetric["cold"], routed["cold"]);
        var hot = routed.Where(r => r.Key.StartsWith("hot#", StringComparison.Ordinal)).ToList();
        Assert.Equal(40, hot.Sum(r => r.Value.Count));
        foreach (var (key, series) in hot)
        {
            var shard = MetricShardRouter.ParseKey(key).Shard;
            Assert.All(series, s => Assert.Equal(shard, MetricShardRouter.ShardOf(s.Series, 4)));
            var times = series.Select(s => s.Exemplars[0].TimestampMs).ToList();
            Assert.Equal(times.Order(), times);
        }
    }

    [Fact]
    public void Options_reject_bad_patterns_and_counts()
    {
        var options = new ShardingOptions
        {
            Metrics = [new ShardPattern { Match = "http_(", Shards = 8 }, new ShardPattern { Match = "x", Shards = 0 }],
        };
        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Sharding:Metrics:0:Match", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Sharding:Metrics:1:Shards", StringComparison.Ordinal));
    }
    [Fact]
    public void Pattern_verdicts_are_cached_for_a_bounded_number_of_names()
    {
        var router = Router(("hot_.*", 4));
        // Names come from whoever writes: many distinct ones must not grow the cache past its cap.
        for (var i = 0; i < 3 * MetricShardRouter.MaxCachedNames; i++)
        {
            Assert.Equal(i % 10 == 0 ? 4 : 0, router.ConfiguredShardsOf(i % 10 == 0 ? $"hot_{i}" : $"cold_{i}"));
            Assert.InRange(router.CachedNames, 1, MetricShardRouter.MaxCachedNames);
        }
        // Routers made for new automatic counts share the cache (and its cap).
        var refreshed = router.WithAutomatic(new Dictionary<string, int>());
        refreshed.ConfiguredShardsOf("one_more");
        Assert.InRange(refreshed.CachedNames, 1, MetricShardRouter.MaxCachedNames);
        Assert.Equal(4, refreshed.ShardsOf("hot_again"));
    }

    [Fact]
    public void Without_patterns_nothing_is_cached()
    {
        var router = Router();
        for (var i = 0; i < 100; i++) Assert.Equal(1, router.ShardsOf($"metric_{i}"));
        Assert.Equal(0, router.CachedNames);
    }
}
