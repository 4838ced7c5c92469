using System.Net;
using System.Text.Json;
using OrleansExemplars.Tests.PromQL;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Differential;

/// <summary>
/// Regex label matchers against Prometheus 2.42's own answers (Go's RE2): the same <c>query_exemplars</c> with
/// <c>regex_probe{v=~"pattern"}</c> to both must select the same probe series, and each of our engines must give
/// Prometheus' verdict on every probe value — a table of 87 patterns × 66 values — and 300 random patterns over
/// 150 random values must select the same series.
/// </summary>
public sealed class RegexMatcherDifferentialTests(RegexProbeFixture fixture, ITestOutputHelper output)
    : IClassFixture<RegexProbeFixture>
{
    private static readonly string[] Patterns =
    [
        // '.' is one code point and no line break; (?s) lets it take one.
        ".", "..", ".*", ".+", "(?s).*", "(?s)a.b", "a.b", ".{2}", "(?s:.)+", "a.*", ".*\n.*", "(?s).*\\n.*",
        // Astral code points, in literals and classes.
        "😀", "😀{2}", "\\x{1F600}+", "[😀-😂]+", "[^😀]", "[\\x{10000}-\\x{10FFFF}]", "a[^b]b", "[^a]", "[^a]+",
        // ASCII word boundaries.
        "\\bfoo\\b", ".*\\bfoo\\b.*", "\\Bfoo.*", "foo\\B.*", ".*\\b.*", "\\b", "\\B", "a\\b.*",
        // Case folding, Go's orbits.
        "(?i)abc", "(?i)k", "(?i)s", "(?i)straße", "(?i)𐐀", "(?i)[a-c]+", "(?i)\\W+", "(?i)\\w+", "(?i)i",
        "(?i)μ", "(?i)ǆ", "(?i)\\p{Lu}+", "(?i)foo", "(?i:f)oo",
        // Unicode classes, Perl and POSIX classes.
        "\\pN+", "\\p{Nd}+", "\\d+", "\\pL+", "\\PL+", "\\p{Lu}", "\\P{Lu}+", "[\\p{L}\\d]+", "[^\\pL]+",
        "\\p{Mn}", "\\p{Zl}", "\\pC", "[[:alpha:]]+", "[[:^alpha:]]+", "[[:word:]]+", "\\w+", "\\s+", "\\S+",
        "[[:space:]]", "[[:punct:]]+",
        // Quoting, anchors, flags, repetitions, alternations.
        "\\Qa.b\\E", "\\Qa*b\\E", "\\Q[x]\\E", "a|b|c", "foo|foo bar", "(foo|bar).*", "^foo$", "(?m)a$\\n^b",
        "(?U)a+", "\\x41", "a{2,}", "a{2}", "(a|aa)*", "", "x\\r\\ny|tab\\tx",
        // Strings joined by .* and .+ (string searches).
        "api-.+", ".*foo.*", "foo\\..*", ".*bar", ".*o.*o.*", "f.+r", ".+😀.*", "(?s)a.*b",
        "(?i)x\\R?", // invalid in Go: both must reject it
    ];

    [Fact]
    public async Task Regex_matchers_select_what_Prometheus_selects()
    {
        Assert.True(Patterns.Length >= 40);
        var failures = new List<string>();
        var informative = 0;
        foreach (var pattern in Patterns)
        {
            var query = $"{RegexProbeFixture.Metric}{{v=~{RegexProbeFixture.PromQLString(pattern)}}}";
            var theirs = await RegexProbeFixture.QueryAsync(fixture.Prometheus.Http, query);
            var ours = await RegexProbeFixture.QueryAsync(fixture.Ours.Http, query);
            if (theirs.Status != ours.Status)
            {
                failures.Add($"{query}: Prometheus {(int)theirs.Status} {theirs.Body}, ours {(int)ours.Status} {ours.Body}");
                continue;
            }
            if (theirs.Status != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.BadRequest, ours.Status);
                continue;
            }
            if (!theirs.Series.SetEquals(ours.Series))
            {
                failures.Add($"{query}: Prometheus selects {Describe(theirs.Series)}, ours {Describe(ours.Series)}");
            }
            if (theirs.Series.Count > 0 && theirs.Series.Count < RegexProbeFixture.Values.Length)
            {
                informative++;
            }
            failures.AddRange(EngineDisagreements(pattern, theirs.Series));
        }
        output.WriteLine($"{Patterns.Length} patterns × {RegexProbeFixture.Values.Length} values; {informative} patterns select some but not all");
        Assert.True(failures.Count == 0, $"{failures.Count} differences:\n" + string.Join("\n", failures));
        Assert.True(informative >= 40, $"only {informative} patterns told values apart");
    }

    /// <summary>Random patterns (valid and not) over random values: the same status, the same series.</summary>
    [Fact]
    public async Task Random_regex_matchers_select_what_Prometheus_selects()
    {
        var patterns = new RandomRe2Patterns(new Random(11));
        var failures = new List<string>();
        var (valid, informative) = (0, 0);
        for (var n = 0; n < 300; n++)
        {
            var pattern = patterns.Next();
            var query = $"{RegexProbeFixture.RandomMetric}{{v=~{RegexProbeFixture.PromQLString(pattern)}}}";
            var theirs = await RegexProbeFixture.QueryAsync(fixture.Prometheus.Http, query);
            var ours = await RegexProbeFixture.QueryAsync(fixture.Ours.Http, query);
            if (theirs.Status != ours.Status || !theirs.Series.SetEquals(ours.Series))
            {
                failures.Add($"{query}: Prometheus {(int)theirs.Status} {Describe(theirs.Series, RegexProbeFixture.RandomValues)}, " +
                             $"ours {(int)ours.Status} {Describe(ours.Series, RegexProbeFixture.RandomValues)} {ours.Body[..Math.Min(200, ours.Body.Length)]}");
            }
            if (theirs.Status == HttpStatusCode.OK)
            {
                valid++;
                if (theirs.Series.Count > 0 && theirs.Series.Count < RegexProbeFixture.RandomValues.Length) informative++;
            }
        }
        output.WriteLine($"300 random patterns, {valid} valid, {informative} selecting some but not all of {RegexProbeFixture.RandomValues.Length}");
        Assert.True(failures.Count == 0, $"{failures.Count} differences:\n" + string.Join("\n", failures));
        Assert.True(informative >= 100, $"only {informative} informative patterns");
    }

    [Theory]
    [InlineData("a|b|c")]
    [InlineData(".*foo.*")]
    [InlineData("\\bfoo\\b")]
    [InlineData("(?i)k")]
    [InlineData(".")]
    [InlineData("")]
    public async Task Negative_regex_matchers_select_what_Prometheus_selects(string pattern)
    {
        var query = $"{RegexProbeFixture.Metric}{{v!~{RegexProbeFixture.PromQLString(pattern)}}}";
        var theirs = await RegexProbeFixture.QueryAsync(fixture.Prometheus.Http, query);
        var ours = await RegexProbeFixture.QueryAsync(fixture.Ours.Http, query);
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        Assert.Equal(HttpStatusCode.OK, ours.Status);
        Assert.NotEmpty(theirs.Series);
        Assert.Equal(theirs.Series, ours.Series);
    }

    [Theory]
    [InlineData("(a|aa)*b", false)]
    [InlineData("(a|a?)+b", false)]
    [InlineData("(x+x+)+y", false)]
    [InlineData("(a|aa)*", true)]
    [InlineData("(.*a){20}", true)]
    public async Task A_catastrophic_pattern_over_a_50000_char_value_answers_as_Prometheus(string pattern, bool selected)
    {
        var query = $"{RegexProbeFixture.LongMetric}{{v=~{RegexProbeFixture.PromQLString(pattern)}}}";
        var started = System.Diagnostics.Stopwatch.StartNew();
        var theirs = await RegexProbeFixture.QueryAsync(fixture.Prometheus.Http, query);
        var theirTime = started.Elapsed;
        started.Restart();
        // The deadline only turns a hang into a failure; the API host's own query timeout answers 503 sooner.
        var ours = await RegexProbeFixture.QueryAsync(fixture.Ours.Http, query).WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{query}: Prometheus {theirTime.TotalMilliseconds:F0} ms, ours {started.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        Assert.True(ours.Status == HttpStatusCode.OK, $"ours {(int)ours.Status} {ours.Body}");
        Assert.Equal(selected ? 1 : 0, theirs.Series.Count);
        Assert.Equal(theirs.Series, ours.Series);
    }

    [Theory]
    [InlineData("\\p{Greek}+", "Greek")]
    [InlineData("[\\p{Han}a]", "Han")]
    [InlineData("(?i)\\P{Latin}", "Latin")]
    public async Task A_Unicode_script_class_is_a_clear_bad_data_error(string pattern, string script)
    {
        var query = $"{RegexProbeFixture.Metric}{{v=~{RegexProbeFixture.PromQLString(pattern)}}}";
        var ours = await RegexProbeFixture.QueryAsync(fixture.Ours.Http, query);
        Assert.True(ours.Status == HttpStatusCode.BadRequest, $"ours {(int)ours.Status} {ours.Body}");
        using var json = JsonDocument.Parse(ours.Body);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
        var error = json.RootElement.GetProperty("error").GetString()!;
        Assert.Contains("parse error: unsupported regexp: Unicode script class \\p{" + script + "}", error);
        Assert.Contains("code point ranges", error);

        // Prometheus runs it; the rest of our API is unaffected.
        var theirs = await RegexProbeFixture.QueryAsync(fixture.Prometheus.Http, query);
        Assert.Equal(HttpStatusCode.OK, theirs.Status);
        var after = await RegexProbeFixture.QueryAsync(fixture.Ours.Http, RegexProbeFixture.Metric + "{v=~\"α.*\"}");
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.NotEmpty(after.Series);
    }

    /// <summary>Each engine able to run <paramref name="pattern"/> against Prometheus' selection.</summary>
    private static IEnumerable<string> EngineDisagreements(string pattern, SortedSet<int> selected)
    {
        foreach (var (engine, matcher) in Re2MatcherTests.AllEngines(pattern))
        {
            var wrong = Enumerable.Range(0, RegexProbeFixture.Values.Length)
                .Where(k => matcher.IsMatch(RegexProbeFixture.Values[k]) != selected.Contains(k)).ToList();
            if (wrong.Count > 0)
            {
                yield return $"`{pattern}` on {engine} ({matcher.Engine}) differs from Prometheus on {Describe(wrong)}";
            }
        }
    }

    private static string Describe(IEnumerable<int> series, string[]? values = null) =>
        "[" + string.Join(", ", series.Select(k => k < 0 ? "long" : JsonSerializer.Serialize((values ?? RegexProbeFixture.Values)[k]))) + "]";
}
