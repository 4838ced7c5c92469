using OrleansExemplars.Tests.PromQL.Corpus;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>Bulk comparisons with the results promtool 2.42 gave for the same expressions.</summary>
public class CorpusTests
{
    [Fact]
    public void GrammarTour()
    {
        var cases = Corpus.GrammarTour.Cases.ToList();
        Assert.True(cases.Count > 100);
        Assert.Contains(cases, c => c.Expected == "OK");
        Assert.Contains(cases, c => c.Expected != "OK");
        var failures = PromQLTestHelpers.Mismatches(cases);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void FuzzedErrorShapes()
    {
        var cases = ErrorShapesA.Cases.Concat(ErrorShapesB.Cases).ToList();
        Assert.True(cases.Count > 250);
        var failures = PromQLTestHelpers.Mismatches(cases);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
