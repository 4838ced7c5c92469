using System.Runtime.CompilerServices;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// The semantic checks Prometheus runs after a syntactically valid parse (<c>parser.checkAST</c>), in the same
/// order, so that the first error found is the one Prometheus reports. Also normalises vector matching like
/// Prometheus (set operators become many-to-many; matching is dropped unless both sides are instant vectors).
/// </summary>
internal static class TypeChecker
{
    private const string MetricNameLabel = "__name__";

    public static void Check(Expr expr, ReadOnlySpan<byte> input) => CheckNode(expr, input.ToArray());

    private static ExprType CheckNode(Expr node, byte[] input)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (node)
        {
            case AggregateExpr agg:
                ExpectType(agg.Expr, ExprType.Vector, "aggregation expression", input);
                if (agg.Op is TokenKind.Topk or TokenKind.Bottomk or TokenKind.Quantile)
                {
                    ExpectType(agg.Param!, ExprType.Scalar, "aggregation parameter", input);
                }
                if (agg.Op == TokenKind.CountValues)
                {
                    ExpectType(agg.Param!, ExprType.String, "aggregation parameter", input);
                }
                break;
            case BinaryExpr bin:
                CheckBinary(bin, input);
                break;
            case Call call:
                CheckCall(call, input);
                break;
            case ParenExpr paren:
                CheckNode(paren.Expr, input);
                break;
            case UnaryExpr unary:
                var t = CheckNode(unary.Expr, input);
                if (t is not (ExprType.Scalar or ExprType.Vector))
                {
                    throw Fail(unary.PositionRange,
                        "unary expression only allowed on expressions of type scalar or instant vector, got " +
                        GoFormat.Quote(t.Documented()));
                }
                break;
            case SubqueryExpr sq:
                var inner = CheckNode(sq.Expr, input);
                if (inner != ExprType.Vector)
                {
                    throw Fail(sq.PositionRange,
                        $"subquery is only allowed on instant vector, got {inner.InternalName()} instead");
                }
                break;
            case MatrixSelector ms:
                CheckNode(ms.VectorSelector, input);
                break;
            case VectorSelector vs:
                CheckVectorSelector(vs);
                break;
        }
        return node.Type;
    }

    private static void ExpectType(Expr node, ExprType want, string context, byte[] input)
    {
        var t = CheckNode(node, input);
        if (t != want)
        {
            throw Fail(node.PositionRange, $"expected type {want.Documented()} in {context}, got {t.Documented()}");
        }
    }

    private static void CheckBinary(BinaryExpr n, byte[] input)
    {
        var lt = CheckNode(n.LHS, input);
        var rt = CheckNode(n.RHS, input);
        var matching = n.VectorMatching!;

        if (n.ReturnBool && !n.Op.IsComparisonOperator())
        {
            throw Fail(OperatorRange(n, input), "bool modifier can only be used on comparison operators");
        }
        if (n.Op.IsComparisonOperator() && !n.ReturnBool && n.RHS.Type == ExprType.Scalar &&
            n.LHS.Type == ExprType.Scalar)
        {
            throw Fail(OperatorRange(n, input), "comparisons between scalars must use BOOL modifier");
        }
        if (n.Op.IsSetOperator() && matching.Card == VectorMatchCardinality.OneToOne)
        {
            matching.Card = VectorMatchCardinality.ManyToMany;
        }
        if (matching.On)
        {
            foreach (var label in matching.MatchingLabels)
            {
                if (matching.Include.Contains(label))
                {
                    throw Fail(OperatorRange(n, input),
                        $"label {GoFormat.Quote(label)} must not occur in ON and GROUP clause at once");
                }
            }
        }
        if (lt is not (ExprType.Scalar or ExprType.Vector))
        {
            throw Fail(n.LHS.PositionRange, "binary expression must contain only scalar and instant vector types");
        }
        if (rt is not (ExprType.Scalar or ExprType.Vector))
        {
            throw Fail(n.RHS.PositionRange, "binary expression must contain only scalar and instant vector types");
        }

        var op = GoFormat.Quote(TokenKinds.Spelling(n.Op));
        if (lt != ExprType.Vector || rt != ExprType.Vector)
        {
            if (matching.MatchingLabels.Count > 0)
            {
                throw Fail(n.PositionRange, "vector matching only allowed between instant vectors");
            }
            n.VectorMatching = null;
        }
        else if (n.Op.IsSetOperator())
        {
            if (matching.Card is VectorMatchCardinality.OneToMany or VectorMatchCardinality.ManyToOne)
            {
                throw Fail(n.PositionRange, $"no grouping allowed for {op} operation");
            }
            if (matching.Card != VectorMatchCardinality.ManyToMany)
            {
                throw Fail(n.PositionRange, "set operations must always be many-to-many");
            }
        }
        if ((lt == ExprType.Scalar || rt == ExprType.Scalar) && n.Op.IsSetOperator())
        {
            throw Fail(n.PositionRange, $"set operator {op} not allowed in binary scalar expression");
        }
    }

    /// <summary>The operator part of a binary expression: between the operands, without surrounding whitespace.</summary>
    private static PositionRange OperatorRange(BinaryExpr n, byte[] input)
    {
        var start = n.LHS.PositionRange.End;
        while (start < input.Length && Lexer.IsSpace(input[start]))
        {
            start++;
        }
        var end = n.RHS.PositionRange.Start - 1;
        while (end > start && Lexer.IsSpace(input[end]))
        {
            end--;
        }
        return new PositionRange(start, end);
    }

    private static void CheckCall(Call n, byte[] input)
    {
        var f = n.Func;
        var nargs = f.ArgTypes.Count;
        var name = GoFormat.Quote(f.Name);
        if (f.Variadic == 0)
        {
            if (nargs != n.Args.Count)
            {
                throw Fail(n.PositionRange, $"expected {nargs} argument(s) in call to {name}, got {n.Args.Count}");
            }
        }
        else
        {
            var min = nargs - 1;
            if (min > n.Args.Count)
            {
                throw Fail(n.PositionRange, $"expected at least {min} argument(s) in call to {name}, got {n.Args.Count}");
            }
            var max = min + f.Variadic;
            if (f.Variadic > 0 && max < n.Args.Count)
            {
                throw Fail(n.PositionRange, $"expected at most {max} argument(s) in call to {name}, got {n.Args.Count}");
            }
        }

        for (var i = 0; i < n.Args.Count; i++)
        {
            var typeIndex = i;
            if (i >= nargs)
            {
                if (f.Variadic == 0)
                {
                    break;
                }
                typeIndex = nargs - 1;
            }
            ExpectType(n.Args[i], f.ArgTypes[typeIndex], $"call to function {name}", input);
        }
    }

    private static void CheckVectorSelector(VectorSelector n)
    {
        if (n.Name.Length > 0)
        {
            // The last matcher is the one for the name given before the braces.
            for (var i = 0; i < n.LabelMatchers.Count - 1; i++)
            {
                var m = n.LabelMatchers[i];
                if (m.Name == MetricNameLabel)
                {
                    throw Fail(n.PositionRange,
                        $"metric name must not be set twice: {GoFormat.Quote(n.Name)} or {GoFormat.Quote(m.Value)}");
                }
            }
            return;
        }
        if (!n.LabelMatchers.Any(m => !m.MatchesEmpty))
        {
            throw Fail(n.PositionRange, "vector selector must contain at least one non-empty matcher");
        }
    }

    private static ParseFailure Fail(PositionRange range, string detail) => ParseFailure.At(range, detail);
}
