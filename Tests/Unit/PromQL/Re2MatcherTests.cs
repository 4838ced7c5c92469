using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Re2;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>
/// Label-matcher regexes run in linear time with RE2's meaning, on every engine that can run the pattern: patterns
/// that make a backtracking engine take exponential time over a long label value answer (correctly), code points
/// above U+FFFF count as one character, word boundaries are ASCII, and the compiled-matcher cache stays bounded.
/// The answers of Prometheus itself are checked in <c>RegexMatcherDifferentialTests</c>.
/// </summary>
public class Re2MatcherTests(ITestOutputHelper output)
{
    private static readonly Re2Engine[] Engines =
        [Re2Engine.Auto, Re2Engine.LiteralSet, Re2Engine.Substrings, Re2Engine.NonBacktracking, Re2Engine.Nfa];

    /// <summary>Every engine that can run <paramref name="pattern"/> (LiteralSet and Substrings only the shapes they take).</summary>
    internal static IEnumerable<(Re2Engine Engine, Re2Matcher Matcher)> AllEngines(string pattern)
    {
        foreach (var engine in Engines)
        {
            Re2Matcher matcher;
            try
            {
                matcher = Re2Matcher.Create(pattern, engine);
            }
            catch (NotSupportedException) when (engine is not (Re2Engine.Auto or Re2Engine.Nfa))
            {
                continue;
            }
            yield return (engine, matcher);
        }
    }

    public static TheoryData<string, string, bool> Catastrophic()
    {
        var a = new string('a', 50_000);
        var x = new string('x', 50_000);
        return new TheoryData<string, string, bool>
        {
            // Each of these takes a backtracking engine exponential time in the length of the value (the code before
            // this engine timed out after its 1 s match limit on the first two); RE2 answers in one pass.
            { "(a|aa)*b", a, false },
            { "(a|a?)+b", a, false },
            { "(a|aa|aaa)*c", a, false },
            { "(x+x+)+y", x, false },
            { "(.*a){20}", a + "b", false },
            { "(a|aa)*", a, true },
            { "(a+)+$", a, true },
            { "(a|a)*b", a + "b", true },
            { @"(\w|a)*\b", a, true },
            { @"(\w|a)*\bb", a, false },
        };
    }

    [Theory]
    [MemberData(nameof(Catastrophic))]
    public async Task Catastrophic_patterns_over_a_50000_char_value_answer_correctly(string pattern, string value, bool expected)
    {
        foreach (var (engine, matcher) in AllEngines(pattern))
        {
            // Not a timing assertion: the deadline only turns a hang into a failure.
            var started = System.Diagnostics.Stopwatch.StartNew();
            var matched = await Task.Run(() => matcher.IsMatch(value)).WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{pattern} on {engine} ({matcher.Engine}): {matched} in {started.Elapsed.TotalMilliseconds:F1} ms");
            Assert.True(expected == matched, $"{pattern} on {engine}: {matched}");
        }
        var labelMatcher = new LabelMatcher(LabelMatchType.RegexMatch, "v", pattern);
        Assert.Equal(expected, await Task.Run(() => labelMatcher.Matches(value)).WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData(".", "😀", true)]
    [InlineData("..", "😀", false)]
    [InlineData(".{2}", "😀😀", true)]
    [InlineData("a.b", "a😀b", true)]
    [InlineData("[^a]", "😀", true)]
    [InlineData("[^a]{2}", "😀", false)]
    [InlineData(@"\PL", "😀", true)]
    [InlineData(@"\PL\PL", "😀", false)]
    [InlineData(@"\pL", "𝐀", true)] // U+1D400, an upper-case letter
    [InlineData(@"\p{Lu}", "𝐀", true)]
    [InlineData(@"\p{Ll}", "𝐀", false)]
    [InlineData("[😀-😂]+", "😁😂", true)]
    [InlineData("[😀-😂]", "😃", false)]
    [InlineData(@"[\x{10000}-\x{10FFFF}]", "😀", true)]
    [InlineData(@"\x{1F600}+", "😀😀", true)]
    [InlineData("(?i)𐐀", "𐐨", true)] // Deseret: RE2 folds astral letters
    [InlineData(@"(?i)\w", "\u212A", true)] // Kelvin sign folds to k
    [InlineData(@"(?i)\W", "k", false)]
    [InlineData(@"(?i)\W", "\u212A", false)] // folded, then negated, as Go does
    [InlineData("(?i)s", "\u017F", true)] // long s
    [InlineData("(?i)i", "\u0130", false)] // Go folds the Turkish i's only to themselves
    [InlineData("(?i)straße", "STRAẞE", true)]
    [InlineData(@"\bfoo\b", "foo", true)]
    [InlineData(@".*\bfoo\b.*", "éfoo", true)] // é is no ASCII word character: a boundary
    [InlineData(@".*\Bfoo.*", "éfoo", false)]
    [InlineData(@".*\bfoo\b.*", "xfoo", false)]
    [InlineData(@"\d+", "١٢٣", false)]
    [InlineData(@"\pN+", "١٢٣", true)]
    [InlineData("a|b|c", "b", true)]
    [InlineData("a|b|c", "abc", false)]
    [InlineData("a|", "", true)]
    [InlineData("(?i)a|b", "A", true)]
    [InlineData(@"\Qa.b\E|x", "a.b", true)]
    [InlineData(".*", "a\nb", false)]
    [InlineData("(?s).*", "a\nb", true)]
    [InlineData("[^x]*", "a\nb", true)] // Perl classes take \n
    [InlineData(".*foo.*", "a\nfoo", false)]
    [InlineData(".*foo.*", "xfoo\n", false)]
    [InlineData("(?s).*foo.*", "a\nfoo\n", true)]
    [InlineData("a.*a", "a", false)]
    [InlineData("a.*a", "aa", true)]
    [InlineData("a.+a", "aa", false)]
    [InlineData("a.+a", "a😀a", true)]
    [InlineData(".*a.*a.*", "xaxa", true)]
    [InlineData(".*ab.*ba.*", "aba", false)] // the two strings may not overlap
    [InlineData("api-.+", "api-", false)]
    [InlineData("x.*😀.+😀", "x😀😀", false)]
    [InlineData("x.*😀.+😀", "x😀😀😀", true)]
    [InlineData("", "", true)]
    [InlineData("(?m)a$\n^b", "a\nb", true)]
    [InlineData(@"[^\x00-\x{10FFFF}]", "", false)]
    [InlineData(@"[^\x00-\x{10FFFF}]", "a", false)]
    public void Matches_as_RE2_on_every_engine(string pattern, string value, bool expected)
    {
        var engines = 0;
        foreach (var (engine, matcher) in AllEngines(pattern))
        {
            Assert.True(expected == matcher.IsMatch(value), $"{pattern} on {engine} ({matcher.Engine})");
            engines++;
        }
        Assert.True(engines >= 2);
    }

    /// <summary>
    /// Random RE2 patterns over a small alphabet that mixes the hard cases (astral, line break, case-folding odd ones,
    /// non-ASCII letters and digits): every engine must agree with the NFA, which runs RE2's own method over code
    /// points, on random values. The translation to .NET is where the subtle mistakes would be.
    /// </summary>
    [Fact]
    public void Engines_agree_on_random_patterns_and_values()
    {
        var random = new Random(int.Parse(Environment.GetEnvironmentVariable("RE2_FUZZ_SEED") ?? "20240613"));
        var patterns = new RandomRe2Patterns(random);
        var compared = 0;
        for (var i = 0; i < 1500; i++)
        {
            var pattern = patterns.Next();
            if (Re2Syntax.Validate(pattern) is not null)
            {
                continue;
            }
            var reference = Re2Matcher.Create(pattern, Re2Engine.Nfa);
            var others = AllEngines(pattern).Where(e => e.Engine != Re2Engine.Nfa).ToList();
            for (var v = 0; v < 25; v++)
            {
                var value = patterns.Value();
                var expected = reference.IsMatch(value);
                foreach (var (engine, matcher) in others)
                {
                    Assert.True(expected == matcher.IsMatch(value),
                        $"`{pattern}` on {engine} ({matcher.Engine}) says {!expected} for {System.Text.Json.JsonSerializer.Serialize(value)}");
                    compared++;
                }
            }
        }
        output.WriteLine($"{compared} comparisons");
        Assert.True(compared > 20_000, $"{compared} comparisons");
    }

    [Theory]
    [InlineData("a|b|c", Re2Engine.LiteralSet)]
    [InlineData("api|(web|db)", Re2Engine.LiteralSet)]
    [InlineData(".*foo.*", Re2Engine.Substrings)]
    [InlineData("api-.+", Re2Engine.Substrings)]
    [InlineData("(?s).*GET /(.*)/users.+", Re2Engine.Substrings)]
    [InlineData("api-.{2}", Re2Engine.NonBacktracking)]
    [InlineData(@"(?i)abc|\w+", Re2Engine.NonBacktracking)]
    [InlineData(@"\pL+", Re2Engine.Nfa)] // a large Unicode class: NonBacktracking's constructor is slow
    [InlineData(@"\bfoo", Re2Engine.Nfa)]
    [InlineData(@"a\B", Re2Engine.Nfa)]
    public void Picks_the_cheapest_engine_that_can_run_the_pattern(string pattern, Re2Engine expected)
    {
        Assert.Equal(expected, Re2Syntax.CompileAnchored(pattern).Engine);
    }

    [Fact]
    public void The_compiled_matcher_cache_is_bounded_and_keeps_what_is_used()
    {
        var cache = new Re2MatcherCache(capacity: 20);
        var hot = cache.GetOrAdd("hot.*", p => Re2Matcher.Create(p));
        for (var i = 0; i < 500; i++)
        {
            cache.GetOrAdd($"p{i}.*", p => Re2Matcher.Create(p));
            Assert.Same(hot, cache.GetOrAdd("hot.*", _ => throw new InvalidOperationException("recompiled a hot pattern")));
            Assert.True(cache.Count <= 20, $"{cache.Count} entries");
        }
        Assert.Throws<ArgumentException>(() => cache.GetOrAdd("(", p => Re2Matcher.Create(p)));
        Assert.Throws<ArgumentException>(() => cache.GetOrAdd("(", p => Re2Matcher.Create(p)));
    }

    [Fact]
    public void The_process_cache_gives_one_compiled_matcher_per_pattern()
    {
        Assert.Same(Re2Syntax.CompileAnchored("shared-.+"), Re2Syntax.CompileAnchored("shared-.+"));
    }
}
