using OrleansExemplars.Prometheus.PromQL;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>Tree shape: precedence, associativity, unary operators and modifiers.</summary>
public class AstTests
{
    // Evaluates scalar-only trees, to check precedence against values promtool 2.42 computed for vector(<expr>).
    private static double Eval(Expr e) => e switch
    {
        NumberLiteral n => n.Val,
        ParenExpr p => Eval(p.Expr),
        UnaryExpr u => u.Op == TokenKind.Sub ? -Eval(u.Expr) : Eval(u.Expr),
        BinaryExpr b => Apply(b.Op, Eval(b.LHS), Eval(b.RHS)),
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    private static double Apply(TokenKind op, double l, double r) => op switch
    {
        TokenKind.Add => l + r,
        TokenKind.Sub => l - r,
        TokenKind.Mul => l * r,
        TokenKind.Div => l / r,
        TokenKind.Mod => l % r,
        TokenKind.Pow => Math.Pow(l, r),
        TokenKind.Atan2 => Math.Atan2(l, r),
        TokenKind.Eqlc => l == r ? 1 : 0,
        TokenKind.Gtr => l > r ? 1 : 0,
        _ => throw new InvalidOperationException(op.ToString()),
    };

    [Theory]
    [InlineData("-2^2", -4)]
    [InlineData("2^3^2", 512)]
    [InlineData("-1*2+3", 1)]
    [InlineData("2-3-4", -5)]
    [InlineData("2/4*2", 1)]
    [InlineData("1+2*3^2", 19)]
    [InlineData("-2^-1", -0.5)]
    [InlineData("- -2^2", 4)]
    [InlineData("2^-2^2", 0.0625)]
    [InlineData("-2*-3", 6)]
    [InlineData("8 % 3 * 2", 4)]
    [InlineData("2 ^ 2 * 3", 12)]
    [InlineData("-(2)^2", -4)]
    [InlineData("+-+2^2", -4)]
    [InlineData("1 - -1", 2)]
    [InlineData("2 atan2 1 * 3", 3.3214461533822712)]
    [InlineData("10 - 2 ^ 2 * 3 % 5", 8)]
    [InlineData("-2 ^ 2 ^ -1", -1.4142135623730951)]
    [InlineData("0x10 + 010", 24)]
    [InlineData("1 == bool 1 + 1", 0)]
    [InlineData("2 > bool 1 * 3", 0)]
    [InlineData("-1 ^ 0.5", -1)]
    [InlineData("-8 / 2 / 2", -2)]
    [InlineData("2 ^ 3 % 5", 3)]
    [InlineData("+5 - -5 * -2", -5)]
    public void PrecedenceMatchesPrometheusEvaluation(string expr, double expected)
    {
        Assert.Equal(expected, Eval(PromQLParser.ParseExpr(expr)), 12);
    }

    [Fact]
    public void UnaryMinusOnLiteralIsFolded()
    {
        var n = Assert.IsType<NumberLiteral>(PromQLParser.ParseExpr("- 1.5"));
        Assert.Equal(-1.5, n.Val);
        Assert.Equal(new PositionRange(0, 5), n.PositionRange);
    }

    [Fact]
    public void UnaryMinusBindsLooserThanPowerButTighterThanMultiplication()
    {
        var mul = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("-a ^ b * c"));
        Assert.Equal(TokenKind.Mul, mul.Op);
        var neg = Assert.IsType<UnaryExpr>(mul.LHS);
        Assert.Equal(TokenKind.Pow, Assert.IsType<BinaryExpr>(neg.Expr).Op);
    }

    [Fact]
    public void ModifiersBindToTheNearestSelector()
    {
        var add = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("a + -b offset 5m @ 10"));
        var neg = Assert.IsType<UnaryExpr>(add.RHS);
        var b = Assert.IsType<VectorSelector>(neg.Expr);
        Assert.Equal(TimeSpan.FromMinutes(5), b.Offset);
        Assert.Equal(10_000, b.Timestamp);
        Assert.Equal(TimeSpan.Zero, Assert.IsType<VectorSelector>(add.LHS).Offset);
    }

    [Fact]
    public void NegativeOffsetAndAtPreprocessors()
    {
        var vs = Assert.IsType<VectorSelector>(PromQLParser.ParseExpr("x @ end() offset -1h30m"));
        Assert.Equal(TimeSpan.FromMinutes(-90), vs.Offset);
        Assert.Equal(TokenKind.End, vs.StartOrEnd);
        Assert.Null(vs.Timestamp);
    }

    [Fact]
    public void RangeAndSubquery()
    {
        var call = Assert.IsType<Call>(PromQLParser.ParseExpr("max_over_time(rate(x[1m] @ 1.5)[10m:30s] offset 1m)"));
        Assert.Equal("max_over_time", call.Func.Name);
        var sq = Assert.IsType<SubqueryExpr>(Assert.Single(call.Args));
        Assert.Equal(TimeSpan.FromMinutes(10), sq.Range);
        Assert.Equal(TimeSpan.FromSeconds(30), sq.Step);
        Assert.Equal(TimeSpan.FromMinutes(1), sq.Offset);
        var ms = Assert.IsType<MatrixSelector>(Assert.Single(Assert.IsType<Call>(sq.Expr).Args));
        Assert.Equal(TimeSpan.FromMinutes(1), ms.Range);
        Assert.Equal(1500, Assert.IsType<VectorSelector>(ms.VectorSelector).Timestamp);
        Assert.Equal(ExprType.Matrix, sq.Type);
        Assert.Equal(ExprType.Vector, call.Type);
    }

    [Fact]
    public void AggregationsWithModifierBeforeOrAfter()
    {
        var a = Assert.IsType<AggregateExpr>(PromQLParser.ParseExpr("sum without (a, b) (x)"));
        var b = Assert.IsType<AggregateExpr>(PromQLParser.ParseExpr("SUM(x) WITHOUT (a, b,)"));
        foreach (var agg in new[] { a, b })
        {
            Assert.Equal(TokenKind.Sum, agg.Op);
            Assert.True(agg.Without);
            Assert.Equal(["a", "b"], agg.Grouping);
            Assert.Null(agg.Param);
        }
        var topk = Assert.IsType<AggregateExpr>(PromQLParser.ParseExpr("topk by (job) (5, x)"));
        Assert.Equal(5, Assert.IsType<NumberLiteral>(topk.Param).Val);
        Assert.IsType<VectorSelector>(topk.Expr);
    }

    [Fact]
    public void VectorMatching()
    {
        var b = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("a / on(x, y) group_left(z) b"));
        Assert.NotNull(b.VectorMatching);
        Assert.True(b.VectorMatching.On);
        Assert.Equal(["x", "y"], b.VectorMatching.MatchingLabels);
        Assert.Equal(["z"], b.VectorMatching.Include);
        Assert.Equal(VectorMatchCardinality.ManyToOne, b.VectorMatching.Card);

        var set = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("a and ignoring(x) b"));
        Assert.Equal(VectorMatchCardinality.ManyToMany, set.VectorMatching!.Card);
        Assert.False(set.VectorMatching.On);

        var scalar = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("a > bool 1"));
        Assert.True(scalar.ReturnBool);
        Assert.Null(scalar.VectorMatching); // dropped when one side is a scalar
    }

    [Fact]
    public void GroupLeftFollowedByParenthesisTakesItAsLabelList()
    {
        var b = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("a + on(x) group_left (y) b"));
        Assert.Equal(["y"], b.VectorMatching!.Include);
        Assert.IsType<VectorSelector>(b.RHS);
    }

    [Fact]
    public void StringsAndCalls()
    {
        var call = Assert.IsType<Call>(PromQLParser.ParseExpr("label_replace(x, \"a\", 'b', `c\\d`, \"\\u00e9\")"));
        Assert.Equal(["a", "b", "c\\d", "é"], call.Args.Skip(1).Select(a => Assert.IsType<StringLiteral>(a).Val));
        Assert.Equal(ExprType.String, PromQLParser.ParseExpr("'s'").Type);
        Assert.Equal(ExprType.Scalar, PromQLParser.ParseExpr("time() + 1").Type);
    }

    [Fact]
    public void PositionRanges()
    {
        var b = Assert.IsType<BinaryExpr>(PromQLParser.ParseExpr("foo{a=\"b\"} + sum(x) by (y)"));
        Assert.Equal(new PositionRange(0, 10), b.LHS.PositionRange);
        Assert.Equal(new PositionRange(13, 26), b.RHS.PositionRange);
        Assert.Equal(new PositionRange(0, 26), b.PositionRange);
    }
}
