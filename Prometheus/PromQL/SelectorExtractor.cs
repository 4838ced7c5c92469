using System.Runtime.CompilerServices;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Prometheus' <c>parser.ExtractSelectors</c>.</summary>
public static class SelectorExtractor
{
    /// <summary>
    /// The label matchers of every <see cref="VectorSelector"/> in <paramref name="expr"/> (including those inside
    /// range selectors and subqueries), in the pre-order walk Prometheus uses: children in
    /// <see cref="Expr.Children"/> order, so for aggregations the aggregated expression comes before the parameter.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<LabelMatcher>> Extract(Expr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        var result = new List<IReadOnlyList<LabelMatcher>>();
        Walk(expr, result);
        return result;
    }

    private static void Walk(Expr expr, List<IReadOnlyList<LabelMatcher>> result)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (expr is VectorSelector vs)
        {
            result.Add(vs.LabelMatchers);
        }
        foreach (var child in expr.Children)
        {
            Walk(child, result);
        }
    }
}
