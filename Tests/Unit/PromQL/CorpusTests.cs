using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.PromQL.Corpus;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>
/// Bulk comparisons with the results promtool 2.42 gave for the same expressions: exactly those with the legacy
/// grammar, and those but the cases Prometheus 3's quoted names change (<see cref="Utf8NameResults"/>) with the
/// default UTF-8 one.
/// </summary>
public class CorpusTests
{
    [Fact]
    public void GrammarTour()
    {
        var cases = Corpus.GrammarTour.Cases.ToList();
        Assert.True(cases.Count > 100);
        Assert.Contains(cases, c => c.Expected == "OK");
        Assert.Contains(cases, c => c.Expected != "OK");
        AssertBothGrammars(cases);
    }

    [Fact]
    public void FuzzedErrorShapes()
    {
        var cases = ErrorShapesA.Cases.Concat(ErrorShapesB.Cases).ToList();
        Assert.True(cases.Count > 250);
        AssertBothGrammars(cases);
    }

    [Fact]
    public void Every_UTF_8_result_replaces_a_different_corpus_result()
    {
        var corpus = Corpus.GrammarTour.Cases.Concat(ErrorShapesA.Cases).Concat(ErrorShapesB.Cases)
            .ToLookup(c => c.Expr, c => c.Expected, StringComparer.Ordinal);
        foreach (var (expr, utf8) in Utf8NameResults.Cases)
        {
            Assert.True(corpus.Contains(expr), $"not in the corpus: {expr}");
            Assert.DoesNotContain(utf8, corpus[expr]);
        }
    }

    private static void AssertBothGrammars(List<(string Expr, string Expected)> cases)
    {
        var legacy = PromQLTestHelpers.Mismatches(cases, NameValidationScheme.Legacy);
        Assert.True(legacy.Count == 0, "legacy grammar:\n" + string.Join("\n", legacy));
        var utf8 = PromQLTestHelpers.Mismatches(cases.Select(c =>
            (c.Expr, Utf8NameResults.Cases.GetValueOrDefault(c.Expr, c.Expected))));
        Assert.True(utf8.Count == 0, "UTF-8 grammar:\n" + string.Join("\n", utf8));
    }
}
