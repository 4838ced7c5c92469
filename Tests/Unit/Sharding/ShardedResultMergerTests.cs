using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Sharding;

public sealed class ShardedResultMergerTests
{
    private static Exemplar E(string trace, double value, long ts) => new(LabelSet.From(("trace_id", trace)), value, ts, true);

    private static SeriesExemplars S(string instance, params Exemplar[] exemplars) =>
        new(LabelSet.From(("__name__", "m"), ("instance", instance)), exemplars);

    [Fact]
    public void Series_from_several_grains_come_back_sorted_by_labels()
    {
        var merged = ShardedResultMerger.Merge([[S("c", E("1", 1, 1))], [S("a", E("2", 1, 1)), S("b", E("3", 1, 1))], []]);
        Assert.Equal(["a", "b", "c"], merged.Select(s => s.Series.Get("instance")));
    }

    [Fact]
    public void A_series_split_by_a_shard_change_is_interleaved_by_time_without_twins()
    {
        // Old grain: t1, t3 (and t5 redelivered to both grains); new grain: t2, t4, t5.
        var old = S("a", E("t1", 1, 1000), E("t3", 3, 3000), E("t5", 5, 5000));
        var now = S("a", E("t2", 2, 2000), E("t4", 4, 4000), E("t5", 5, 5000));
        var merged = Assert.Single(ShardedResultMerger.Merge([[old], [now]]));
        Assert.Equal(["t1", "t2", "t3", "t4", "t5"], merged.Exemplars.Select(e => e.Labels.Get("trace_id")));
    }

    [Fact]
    public void Different_exemplars_at_the_same_time_are_both_kept_in_grain_order()
    {
        var merged = Assert.Single(ShardedResultMerger.Merge([[S("a", E("x", 1, 1000))], [S("a", E("y", 1, 1000), E("x", 2, 1000))]]));
        Assert.Equal(["x", "y", "x"], merged.Exemplars.Select(e => e.Labels.Get("trace_id")));
        Assert.Equal([1.0, 1.0, 2.0], merged.Exemplars.Select(e => e.Value));
    }
}
