using BenchmarkDotNet.Attributes;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Re2;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// What a regex label matcher costs: building it (a query parses its matchers, and every metric grain that receives one
/// needs it compiled again, the compiled regex not being serialized: both come from the process' bounded cache) and
/// matching label values with it, for patterns as dashboards write them.
/// </summary>
[MemoryDiagnoser]
public class LabelMatcherBenchmarks
{
    // A mix of values the three patterns match and miss, of the lengths label values usually have.
    private static readonly string[] Values =
    [
        "a", "b", "c", "d", "abc", "foo", "xfoox", "api-", "api-gateway", "api-users-v2", "web-frontend-7f9c",
        "GET /api/v1/query_exemplars?query=foo", "checkout-service-5d8f7b9c4-x2kqp", "10.1.0.17:8080",
    ];

    private LabelMatcher _matcher = null!;

    // The three commonest shapes, then one for each automaton: NonBacktracking and the NFA (word boundaries).
    [Params(".*foo.*", "a|b|c", "api-.+", @"10\.1\.0\.1[0-9]:8080", @".*\bfoo\b.*")]
    public string Pattern { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _matcher = new LabelMatcher(LabelMatchType.RegexMatch, "l", Pattern);

    [Benchmark(Description = "new LabelMatcher + first match (what a query or a grain pays per matcher)")]
    public bool Construct() => new LabelMatcher(LabelMatchType.RegexMatch, "l", Pattern).Matches(Values[0]);

    [Benchmark(Description = "Re2Matcher.Create + first match (a compiled-matcher cache miss)")]
    public bool Compile_uncached() => Re2Matcher.Create(Pattern).IsMatch(Values[0]);

    [Benchmark(OperationsPerInvoke = 14, Description = "Matches, per label value (14 values)")]
    public int Match()
    {
        var n = 0;
        foreach (var value in Values)
        {
            if (_matcher.Matches(value)) n++;
        }
        return n;
    }
}
