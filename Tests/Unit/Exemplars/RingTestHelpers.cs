using System.Globalization;
using System.Text;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Tests.Exemplars;

internal static class RingTestHelpers
{
    public static readonly IReadOnlyList<IReadOnlyList<LabelMatcher>> MatchAll = [[]];

    public static LabelSet Series(string job, params (string Name, string Value)[] extra) =>
        LabelSet.From([(LabelSet.MetricName, "m"), ("job", job), .. extra]);

    public static Exemplar Ex(long ts, double value = 1, string trace = "t", bool hasTs = true) =>
        new(LabelSet.From(("trace_id", trace)), value, ts, hasTs);

    public static Exemplar Ex(LabelSet labels, long ts, double value = 1, bool hasTs = true) => new(labels, value, ts, hasTs);

    public static IReadOnlyList<IReadOnlyList<LabelMatcher>> Sets(params LabelMatcher[][] sets) => sets;

    public static LabelMatcher M(string name, LabelMatchType type, string value) => new(type, name, value);

    /// <summary>A readable, exact rendering of a query result, so a failing assertion shows what differed.</summary>
    public static string Dump(IEnumerable<SeriesExemplars> result)
    {
        var sb = new StringBuilder();
        foreach (var s in result)
        {
            sb.Append(s.Series).Append(':');
            foreach (var e in s.Exemplars) sb.Append(' ').Append(Dump(e));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string Dump(IEnumerable<(LabelSet Series, Exemplar Exemplar)> entries) =>
        string.Join("\n", entries.Select(x => $"{x.Series} {Dump(x.Exemplar)}"));

    public static string Dump(Exemplar e) =>
        $"{e.Labels}@{e.TimestampMs}{(e.HasTimestamp ? "" : "?")}={e.Value.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>Timestamps per series in result order: compact expectations for the unit tests.</summary>
    public static string Shape(IEnumerable<SeriesExemplars> result) =>
        string.Join(" | ", result.Select(s => s.Series.Get("job") + s.Series.Get("instance") + ":" +
                                              string.Join(",", s.Exemplars.Select(e => e.TimestampMs))));

    public static string Shape(ExemplarRing ring) => Shape(ring.Select(long.MinValue, long.MaxValue, MatchAll));
}
