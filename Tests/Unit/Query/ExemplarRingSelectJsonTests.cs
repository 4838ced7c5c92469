using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Query;

/// <summary>A ring's JSON answer is the JSON of its object answer (<see cref="ExemplarRing.Select"/>), byte for byte.</summary>
public sealed class ExemplarRingSelectJsonTests
{
    [Fact]
    public void SelectJson_writes_what_Select_returns()
    {
        var random = new Random(31);
        for (var round = 0; round < 60; round++)
        {
            var ring = new ExemplarRing(random.Next(1, 200));
            var ts = 0L;
            for (var i = 0; i < random.Next(0, 400); i++)
            {
                ts += random.Next(0, 3);
                var series = LabelSet.From(("__name__", "m"), ("instance", "i" + random.Next(12)), ("job", random.Next(2) == 0 ? "a" : "é"));
                // Mostly the usual single trace_id label (stored compactly, 32 or 16 hex digits packed), often the
                // span_id + trace_id pair, sometimes other label sets.
                var labels = random.Next(9) switch
                {
                    0 => LabelSet.From(("trace_id", "t" + i), ("span_id", "s")),
                    // OpenTelemetry's pair (both values packed), and with an uppercase span id (a label set).
                    7 => LabelSet.From(("span_id", random.NextInt64().ToString("x16")),
                        ("trace_id", random.NextInt64().ToString("x16") + random.NextInt64().ToString("x16"))),
                    8 => LabelSet.From(("span_id", random.NextInt64().ToString("X16")),
                        ("trace_id", random.NextInt64().ToString("x16") + random.NextInt64().ToString("x16"))),
                    1 => LabelSet.From(("other", "o" + i)),
                    2 => LabelSet.From(("trace_id", random.NextInt64().ToString("x16") + random.NextInt64().ToString("x16"))),
                    3 => LabelSet.From(("trace_id", random.NextInt64().ToString("x16"))),
                    _ => LabelSet.From(("trace_id", "t" + i)),
                };
                ring.Append(series, new Exemplar(labels, random.Next(100) / 7.0, ts, true));
            }
            IReadOnlyList<IReadOnlyList<LabelMatcher>>[] queries =
            [
                [[]],
                [[new LabelMatcher(LabelMatchType.RegexMatch, "__name__", ".+")]],
                [[LabelMatcher.Equal("job", "a")], [new LabelMatcher(LabelMatchType.RegexMatch, "instance", "i1.*")]],
                [],
            ];
            foreach (var sets in queries)
            {
                var start = random.Next(-5, (int)ts + 2);
                var end = random.Next(start, (int)ts + 5);
                var expected = QueryJsonOracle.Write(ring.Select(start, end, sets));
                var actual = QueryJsonOracle.WriteMerged([ring.SelectJson(start, end, sets)]);
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
            }
        }
    }

    [Theory]
    [InlineData(".+")]
    [InlineData(".*")]
    public void Any_value_regexes_match_as_the_regex_does(string pattern)
    {
        var matcher = new LabelMatcher(LabelMatchType.RegexMatch, "x", pattern);
        var regex = LabelMatcher.CompileAnchored(pattern);
        foreach (var value in new[] { "", "a", "\n", "a\nb", "\r", "😀", " " })
        {
            Assert.Equal(regex.IsMatch(value), matcher.Matches(value));
            Assert.Equal(!regex.IsMatch(value), new LabelMatcher(LabelMatchType.RegexNoMatch, "x", pattern).Matches(value));
        }
    }
}
