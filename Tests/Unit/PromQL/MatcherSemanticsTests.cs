using OrleansExemplars.Prometheus.PromQL;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>Matchers produced by the parser match like Prometheus' (fully anchored regexes).</summary>
public class MatcherSemanticsTests
{
    // The first matcher of the only selector (a metric name is added so that negative matchers are allowed).
    private static Prometheus.Model.LabelMatcher Matcher(string selector) =>
        Assert.Single(PromQLParser.ExtractSelectors("metric" + selector))[0];

    [Theory]
    [InlineData("{a=~\"b\"}", "b", true)]
    [InlineData("{a=~\"b\"}", "ab", false)]
    [InlineData("{a=~\"b\"}", "ba", false)]
    [InlineData("{a=~\"b|c\"}", "c", true)]
    [InlineData("{a=~\"b|c\"}", "bc", false)]
    [InlineData("{a=~\"b.*\"}", "bxyz", true)]
    [InlineData("{a=~\"a.c\"}", "a\nc", false)] // '.' does not match a newline
    [InlineData("{a=~\"a.c\"}", "abc", true)]
    [InlineData("{a=~\"a$\"}", "a\n", false)] // '$' does not match before a trailing newline
    [InlineData("{a=~\"a\"}", "a\n", false)]
    [InlineData("{a!~\"b|c\"}", "bc", true)]
    [InlineData("{a!~\"b|c\"}", "b", false)]
    [InlineData("{a=\"b\"}", "b", true)]
    [InlineData("{a=\"b\"}", "B", false)]
    [InlineData("{a!=\"b\"}", "", true)]
    public void AnchoredMatching(string selector, string value, bool matches)
    {
        Assert.Equal(matches, Matcher(selector).Matches(value));
    }

    [Theory]
    [InlineData("{a=~\".*\", b=\"x\"}")]
    [InlineData("{a=~\".+\"}")]
    [InlineData("{a!=\"\"}")]
    [InlineData("{a!~\"\"}")]
    public void SelectorsWithANonEmptyMatcherAreAccepted(string selector)
    {
        Assert.NotEmpty(PromQLParser.ExtractSelectors(selector));
    }

    [Theory]
    [InlineData("{a=\"\"}")]
    [InlineData("{a=~\".*\"}")]
    [InlineData("{a=~\"x|\"}")]
    [InlineData("{a!~\".+\"}")]
    [InlineData("{a!=\"x\"}")]
    [InlineData("{a=~\"\", b!~\"y\"}")]
    public void SelectorsMatchingEverythingAreRejected(string selector)
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(selector));
        Assert.Equal("1:1: parse error: vector selector must contain at least one non-empty matcher", e.Message);
    }
}
