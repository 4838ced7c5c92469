using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Grains.Catalog;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>The catalog's label index and a grain's tracker of what it told it: rule out only what cannot match.</summary>
public sealed class LabelValueIndexTests
{
    private static LabelSet Series(params (string, string)[] labels) => LabelSet.From(labels);

    private static LabelMatcher[] Set(params LabelMatcher[] m) => m;

    [Fact]
    public void A_grain_is_ruled_out_only_when_no_series_of_it_can_match()
    {
        var tracker = new LabelValueTracker();
        tracker.Observe(Series(("__name__", "http_requests_total"), ("job", "api"), ("code", "200")));
        tracker.Observe(Series(("__name__", "http_requests_total"), ("job", "api"), ("code", "500")));
        var index = new LabelValueIndex();
        index.Report("http_requests_total", tracker.Complete(), complete: true);

        Assert.True(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.Equal, "job", "api"))));
        Assert.False(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.Equal, "job", "db"))));
        Assert.True(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.RegexMatch, "code", "5.."))));
        Assert.False(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.RegexMatch, "code", "4.."))));
        Assert.False(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.Equal, "region", "eu"))));
        // Matchers that accept a missing label rule nothing out.
        Assert.True(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.NotEqual, "region", "eu"))));
        Assert.True(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.Equal, "region", ""))));
        Assert.True(index.MayMatch("http_requests_total", Set(new LabelMatcher(LabelMatchType.RegexMatch, "job", "db|"))));
        // A grain the index knows nothing of may always match.
        Assert.True(index.MayMatch("other", Set(new LabelMatcher(LabelMatchType.Equal, "job", "db"))));
    }

    [Fact]
    public void New_values_are_reported_once_and_a_label_past_the_cap_takes_any_value()
    {
        var tracker = new LabelValueTracker();
        var index = new LabelValueIndex();
        tracker.Observe(Series(("job", "api"), ("pod", "p0")));
        index.Report("m", tracker.Complete(), complete: true);
        Assert.False(tracker.Observe(Series(("job", "api"), ("pod", "p0"))));
        Assert.False(tracker.HasPending);
        for (var i = 1; i <= LabelValueTracker.MaxValuesPerName + 5; i++) Assert.True(tracker.Observe(Series(("job", "api"), ("pod", $"p{i}"))) || i > LabelValueTracker.MaxValuesPerName);
        index.Report("m", tracker.TakePending(), complete: false);
        Assert.True(index.MayMatch("m", Set(new LabelMatcher(LabelMatchType.Equal, "pod", "p1000")))); // past the cap: any pod
        Assert.False(index.MayMatch("m", Set(new LabelMatcher(LabelMatchType.Equal, "job", "db"))));
        Assert.False(tracker.Observe(Series(("job", "api"), ("pod", "p5000"))));
    }

    [Fact]
    public void Additions_without_a_complete_report_leave_the_grain_unknown()
    {
        var index = new LabelValueIndex();
        index.Report("m", new LabelValues(new Dictionary<string, string[]?> { ["job"] = ["api"] }), complete: false);
        Assert.True(index.MayMatch("m", Set(new LabelMatcher(LabelMatchType.Equal, "job", "db")))); // not ruled out on a partial picture
        index.Report("m", new LabelValues(new Dictionary<string, string[]?> { ["job"] = ["api"] }), complete: true);
        Assert.False(index.MayMatch("m", Set(new LabelMatcher(LabelMatchType.Equal, "job", "db"))));
        index.Report("m", new LabelValues(new Dictionary<string, string[]?> { ["job"] = ["db"] }), complete: false);
        Assert.True(index.MayMatch("m", Set(new LabelMatcher(LabelMatchType.Equal, "job", "db"))));
    }
}
