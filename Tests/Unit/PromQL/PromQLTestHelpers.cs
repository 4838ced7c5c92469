using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.PromQL;

namespace OrleansExemplars.Tests.PromQL;

internal static class PromQLTestHelpers
{
    /// <summary>"OK" when the expression parses, else the full error message (as Prometheus/promtool prints it).</summary>
    public static string Result(string expr, NameValidationScheme names = NameValidationScheme.Utf8)
    {
        try
        {
            PromQLParser.ParseExpr(expr, names);
            return "OK";
        }
        catch (PromQLParseException e)
        {
            return e.Message;
        }
    }

    /// <summary><c>name op "value"</c> with the raw (unescaped) value.</summary>
    public static string Render(LabelMatcher m)
    {
        var op = m.Type switch
        {
            LabelMatchType.Equal => "=",
            LabelMatchType.NotEqual => "!=",
            LabelMatchType.RegexMatch => "=~",
            _ => "!~",
        };
        return $"{m.Name}{op}\"{m.Value}\"";
    }

    /// <summary>One string per selector: its matchers sorted and joined by ", ", in braces.</summary>
    public static List<string> RenderSelectors(IEnumerable<IReadOnlyList<LabelMatcher>> selectors) =>
        selectors.Select(s => "{" + string.Join(", ", s.Select(Render).Order(StringComparer.Ordinal)) + "}").ToList();

    /// <summary>Selectors compared as a multiset: sorted list of rendered selectors.</summary>
    public static List<string> SelectorSet(string expr, NameValidationScheme names = NameValidationScheme.Utf8) =>
        RenderSelectors(PromQLParser.ExtractSelectors(expr, names)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Runs every corpus case and returns a description of each mismatch.</summary>
    public static List<string> Mismatches(IEnumerable<(string Expr, string Expected)> cases,
        NameValidationScheme names = NameValidationScheme.Utf8)
    {
        var failures = new List<string>();
        foreach (var (expr, expected) in cases)
        {
            var actual = Result(expr, names);
            if (actual != expected)
            {
                failures.Add($"{Quote(expr)}\n    expected: {expected}\n    actual:   {actual}");
            }
        }
        return failures;
    }

    public static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
