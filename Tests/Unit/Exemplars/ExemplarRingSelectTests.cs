using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>Select: time ranges, matcher sets and result order.</summary>
public class ExemplarRingSelectTests
{
    private static readonly LabelSet A = Series("a");
    private static readonly LabelSet B = Series("b");
    private static readonly LabelSet C = Series("c");


    [Fact]
    public void Select_range_is_inclusive_at_both_ends()
    {
        var ring = new ExemplarRing(10);
        foreach (var ts in new long[] { 10, 20, 30, 40 }) ring.Append(A, Ex(ts));
        ring.Append(B, Ex(25));

        Assert.Equal("a:20,30 | b:25", Shape(ring.Select(20, 30, MatchAll)));
        Assert.Equal("a:10", Shape(ring.Select(10, 10, MatchAll)));
        Assert.Equal("a:40", Shape(ring.Select(40, 40, MatchAll)));
        Assert.Equal("a:30", Shape(ring.Select(26, 39, MatchAll)));
        Assert.Equal("a:10,20,30,40 | b:25", Shape(ring.Select(long.MinValue, long.MaxValue, MatchAll)));
        // Between two exemplars of A and outside B: nothing for either, no empty series.
        Assert.Empty(ring.Select(11, 19, MatchAll));
        Assert.Empty(ring.Select(41, 100, MatchAll));
        Assert.Empty(ring.Select(0, 9, MatchAll));
        Assert.Empty(ring.Select(30, 20, MatchAll));
    }

    // --- select: matchers -------------------------------------------------------------------------------------------

    [Fact]
    public void Matcher_sets_are_ORed_and_matchers_within_a_set_ANDed()
    {
        var ring = new ExemplarRing(10);
        var a1 = Series("a", ("instance", "1"));
        var a2 = Series("a", ("instance", "2"));
        var b1 = Series("b", ("instance", "1"));
        ring.Append(a1, Ex(1));
        ring.Append(a2, Ex(2));
        ring.Append(b1, Ex(3));
        // Sorted by labels, and "instance" sorts before "job": a1, b1, a2.

        var jobA = LabelMatcher.Equal("job", "a");
        var inst1 = LabelMatcher.Equal("instance", "1");
        Assert.Equal("a1:1", Shape(ring.Select(0, 10, Sets([jobA, inst1]))));
        Assert.Equal("a1:1 | b1:3 | a2:2", Shape(ring.Select(0, 10, Sets([jobA], [inst1]))));
        Assert.Equal("b1:3", Shape(ring.Select(0, 10, Sets([LabelMatcher.Equal("job", "b")], [jobA, LabelMatcher.Equal("job", "b")]))));
        // A set without matchers matches every series; no sets at all match nothing.
        Assert.Equal("a1:1 | b1:3 | a2:2", Shape(ring.Select(0, 10, Sets(Array.Empty<LabelMatcher>()))));
        Assert.Empty(ring.Select(0, 10, Sets()));
        // Sets that match the same series do not duplicate it.
        Assert.Equal("a1:1", Shape(ring.Select(0, 10, Sets([jobA, inst1], [inst1, jobA]))));
    }

    [Fact]
    public void Absent_label_matches_as_empty_string()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(1));
        ring.Append(Series("b", ("instance", "x")), Ex(2));
        // {instance="x", job="b"} sorts before {job="a"}: "instance" < "job".

        Assert.Equal("a:1", Shape(ring.Select(0, 10, Sets([LabelMatcher.Equal("instance", "")]))));
        Assert.Equal("bx:2", Shape(ring.Select(0, 10, Sets([M("instance", LabelMatchType.NotEqual, "")]))));
        Assert.Equal("bx:2 | a:1", Shape(ring.Select(0, 10, Sets([M("instance", LabelMatchType.NotEqual, "y")]))));
        Assert.Equal("bx:2 | a:1", Shape(ring.Select(0, 10, Sets([M("instance", LabelMatchType.RegexMatch, ".*")]))));
        Assert.Equal("bx:2", Shape(ring.Select(0, 10, Sets([M("instance", LabelMatchType.RegexMatch, ".+")]))));
        Assert.Equal("a:1", Shape(ring.Select(0, 10, Sets([M("nope", LabelMatchType.RegexMatch, ""), LabelMatcher.Equal("job", "a")]))));
    }

    [Fact]
    public void Regex_matchers_are_fully_anchored()
    {
        var ring = new ExemplarRing(10);
        ring.Append(Series("api"), Ex(1));
        ring.Append(Series("api-gw"), Ex(2));
        ring.Append(Series("web"), Ex(3));

        Assert.Equal("api:1", Shape(ring.Select(0, 10, Sets([M("job", LabelMatchType.RegexMatch, "api")]))));
        Assert.Equal("api:1 | api-gw:2", Shape(ring.Select(0, 10, Sets([M("job", LabelMatchType.RegexMatch, "api.*")]))));
        Assert.Equal("api:1 | web:3", Shape(ring.Select(0, 10, Sets([M("job", LabelMatchType.RegexMatch, "api|web")]))));
        Assert.Equal("api-gw:2 | web:3", Shape(ring.Select(0, 10, Sets([M("job", LabelMatchType.RegexNoMatch, "api")]))));
        Assert.Equal("web:3", Shape(ring.Select(0, 10, Sets([M("job", LabelMatchType.RegexNoMatch, "api.*")]))));
        Assert.Empty(ring.Select(0, 10, Sets([M("job", LabelMatchType.RegexMatch, "pi")])));
    }

    [Fact]
    public void Results_are_sorted_by_series_labels_as_prometheus_labels_Compare()
    {
        var ring = new ExemplarRing(10);
        var metricOnly = LabelSet.From((LabelSet.MetricName, "m"));
        var withInstance = Series("a", ("instance", "z"));
        var upper = Series("B");
        // Appended in an order unrelated to the expected one.
        ring.Append(C, Ex(1));
        ring.Append(withInstance, Ex(2));
        ring.Append(A, Ex(3));
        ring.Append(upper, Ex(4));
        ring.Append(metricOnly, Ex(5));
        ring.Append(B, Ex(6));

        var series = ring.Select(0, 10, MatchAll).Select(s => s.Series).ToList();
        // A prefix first; "instance" < "job"; ordinal, so "B" < "a".
        Assert.Equal([metricOnly, withInstance, upper, A, B, C], series);
        Assert.Equal(series.Order(), series);
    }

    // --- resize -----------------------------------------------------------------------------------------------------
}
