using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Entry points mirroring Prometheus 2.42's <c>parser.ParseExpr</c> and <c>parser.ExtractSelectors</c>.</summary>
public static class PromQLParser
{
    /// <summary>Parses and type checks a PromQL expression; throws <see cref="PromQLParseException"/> with the error
    /// Prometheus would report first.</summary>
    public static Expr ParseExpr(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Parser.Parse(input);
    }

    /// <summary>Parses <paramref name="input"/> and returns the label matchers of every vector selector in it (see
    /// <see cref="SelectorExtractor.Extract"/>); empty for expressions without selectors such as <c>1+1</c>.</summary>
    public static IReadOnlyList<IReadOnlyList<LabelMatcher>> ExtractSelectors(string input) =>
        SelectorExtractor.Extract(ParseExpr(input));
}
