using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// Entry points mirroring Prometheus' <c>parser.ParseExpr</c> and <c>parser.ExtractSelectors</c>: the grammar of
/// Prometheus 2.42 with, under <see cref="NameValidationScheme.Utf8"/> (the default), Prometheus 3's quoted names
/// (<c>{"http.server.request.duration", "service.name"="api"}</c>, <c>sum by ("service.name")</c>);
/// <see cref="NameValidationScheme.Legacy"/> parses exactly as 2.42.
/// </summary>
public static class PromQLParser
{
    /// <summary>Parses and type checks a PromQL expression; throws <see cref="PromQLParseException"/> with the error
    /// Prometheus would report first.</summary>
    public static Expr ParseExpr(string input, NameValidationScheme names = NameValidationScheme.Utf8)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Parser.Parse(input, names);
    }

    /// <summary>Parses <paramref name="input"/> and returns the label matchers of every vector selector in it (see
    /// <see cref="SelectorExtractor.Extract"/>); empty for expressions without selectors such as <c>1+1</c>.</summary>
    public static IReadOnlyList<IReadOnlyList<LabelMatcher>> ExtractSelectors(string input,
        NameValidationScheme names = NameValidationScheme.Utf8) =>
        SelectorExtractor.Extract(ParseExpr(input, names));
}
