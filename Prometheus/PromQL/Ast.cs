using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>A range of UTF-8 byte offsets into the query, end exclusive (Prometheus' <c>PositionRange</c>).</summary>
public readonly record struct PositionRange(int Start, int End);

/// <summary>A PromQL expression node (the node types of Prometheus' <c>promql/parser/ast.go</c>).</summary>
public abstract class Expr
{
    public abstract ExprType Type { get; }

    public abstract PositionRange PositionRange { get; }

    /// <summary>Child expressions in the order Prometheus' <c>parser.Children</c> yields them.</summary>
    public abstract IEnumerable<Expr> Children { get; }
}

/// <summary>An aggregation such as <c>sum by (job) (x)</c> or <c>topk(5, x)</c>.</summary>
public sealed class AggregateExpr : Expr
{
    internal AggregateExpr(TokenKind op, Expr expr, Expr? param, IReadOnlyList<string>? grouping, bool without,
        PositionRange range)
    {
        Op = op;
        Expr = expr;
        Param = param;
        Grouping = grouping ?? [];
        Without = without;
        PosRange = range;
    }

    public TokenKind Op { get; }
    public Expr Expr { get; }
    public Expr? Param { get; }
    public IReadOnlyList<string> Grouping { get; }
    public bool Without { get; }
    internal PositionRange PosRange { get; }

    public override ExprType Type => ExprType.Vector;
    public override PositionRange PositionRange => PosRange;

    public override IEnumerable<Expr> Children => Param is null ? [Expr] : [Expr, Param];
}

public enum VectorMatchCardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

/// <summary>The <c>on</c>/<c>ignoring</c>/<c>group_left</c>/<c>group_right</c> part of a binary expression.</summary>
public sealed class VectorMatching
{
    public VectorMatchCardinality Card { get; internal set; }
    public IReadOnlyList<string> MatchingLabels { get; internal set; } = [];
    public bool On { get; internal set; }
    public IReadOnlyList<string> Include { get; internal set; } = [];
}

public sealed class BinaryExpr : Expr
{
    internal BinaryExpr(TokenKind op, Expr lhs, Expr rhs, VectorMatching matching, bool returnBool)
    {
        Op = op;
        LHS = lhs;
        RHS = rhs;
        VectorMatching = matching;
        ReturnBool = returnBool;
    }

    public TokenKind Op { get; }
    public Expr LHS { get; }
    public Expr RHS { get; }

    /// <summary>Set for operations between two instant vectors (null otherwise, after type checking).</summary>
    public VectorMatching? VectorMatching { get; internal set; }

    public bool ReturnBool { get; }

    public override ExprType Type =>
        LHS.Type == ExprType.Scalar && RHS.Type == ExprType.Scalar ? ExprType.Scalar : ExprType.Vector;

    public override PositionRange PositionRange => new(LHS.PositionRange.Start, RHS.PositionRange.End);
    public override IEnumerable<Expr> Children => [LHS, RHS];
}

public sealed class Call : Expr
{
    internal Call(Function func, IReadOnlyList<Expr> args, PositionRange range)
    {
        Func = func;
        Args = args;
        PosRange = range;
    }

    public Function Func { get; }
    public IReadOnlyList<Expr> Args { get; }
    internal PositionRange PosRange { get; }

    public override ExprType Type => Func.ReturnType;
    public override PositionRange PositionRange => PosRange;
    public override IEnumerable<Expr> Children => Args;
}

/// <summary><c>x[5m]</c>. <see cref="VectorSelector"/> is always a <see cref="PromQL.VectorSelector"/> in a
/// successfully parsed expression.</summary>
public sealed class MatrixSelector : Expr
{
    internal MatrixSelector(Expr vectorSelector, TimeSpan range, int endPos)
    {
        VectorSelector = vectorSelector;
        Range = range;
        EndPos = endPos;
    }

    public Expr VectorSelector { get; }
    public TimeSpan Range { get; }
    internal int EndPos { get; set; }

    public override ExprType Type => ExprType.Matrix;
    public override PositionRange PositionRange => new(VectorSelector.PositionRange.Start, EndPos);
    public override IEnumerable<Expr> Children => [VectorSelector];
}

/// <summary><c>expr[range:step]</c>; <see cref="Step"/> is zero when omitted.</summary>
public sealed class SubqueryExpr : Expr
{
    internal SubqueryExpr(Expr expr, TimeSpan range, TimeSpan step, int endPos)
    {
        Expr = expr;
        Range = range;
        Step = step;
        EndPos = endPos;
    }

    public Expr Expr { get; }
    public TimeSpan Range { get; }
    public TimeSpan Step { get; }

    /// <summary>The <c>offset</c> modifier (Prometheus' <c>OriginalOffset</c>), zero when absent.</summary>
    public TimeSpan Offset { get; internal set; }

    /// <summary>The <c>@</c> timestamp in milliseconds, when given as a number.</summary>
    public long? Timestamp { get; internal set; }

    /// <summary><see cref="TokenKind.Start"/> or <see cref="TokenKind.End"/> for <c>@ start()</c>/<c>@ end()</c>.</summary>
    public TokenKind? StartOrEnd { get; internal set; }

    internal int EndPos { get; set; }

    public override ExprType Type => ExprType.Matrix;
    public override PositionRange PositionRange => new(Expr.PositionRange.Start, EndPos);
    public override IEnumerable<Expr> Children => [Expr];
}

public sealed class NumberLiteral : Expr
{
    internal NumberLiteral(double val, PositionRange range)
    {
        Val = val;
        PosRange = range;
    }

    public double Val { get; internal set; }
    internal PositionRange PosRange { get; set; }

    public override ExprType Type => ExprType.Scalar;
    public override PositionRange PositionRange => PosRange;
    public override IEnumerable<Expr> Children => [];
}

public sealed class StringLiteral : Expr
{
    internal StringLiteral(string val, PositionRange range)
    {
        Val = val;
        PosRange = range;
    }

    public string Val { get; }
    internal PositionRange PosRange { get; }

    public override ExprType Type => ExprType.String;
    public override PositionRange PositionRange => PosRange;
    public override IEnumerable<Expr> Children => [];
}

public sealed class ParenExpr : Expr
{
    internal ParenExpr(Expr expr, PositionRange range)
    {
        Expr = expr;
        PosRange = range;
    }

    public Expr Expr { get; }
    internal PositionRange PosRange { get; }

    public override ExprType Type => Expr.Type;
    public override PositionRange PositionRange => PosRange;
    public override IEnumerable<Expr> Children => [Expr];
}

/// <summary>Unary <c>-</c>/<c>+</c> (a unary operator directly applied to a number literal is folded into it).</summary>
public sealed class UnaryExpr : Expr
{
    internal UnaryExpr(TokenKind op, Expr expr, int startPos)
    {
        Op = op;
        Expr = expr;
        StartPos = startPos;
    }

    public TokenKind Op { get; }
    public Expr Expr { get; }
    internal int StartPos { get; }

    public override ExprType Type => Expr.Type;
    public override PositionRange PositionRange => new(StartPos, Expr.PositionRange.End);
    public override IEnumerable<Expr> Children => [Expr];
}

/// <summary>An instant vector selector. <see cref="LabelMatchers"/> holds the matchers in the braces in source
/// order followed, when the metric name was given before the braces, by <c>__name__="name"</c>.</summary>
public sealed class VectorSelector : Expr
{
    internal VectorSelector(string name, IReadOnlyList<LabelMatcher> matchers, PositionRange range)
    {
        Name = name;
        LabelMatchers = matchers;
        PosRange = range;
    }

    /// <summary>The metric name written before the braces, or empty.</summary>
    public string Name { get; }

    public IReadOnlyList<LabelMatcher> LabelMatchers { get; }

    /// <summary>The <c>offset</c> modifier (Prometheus' <c>OriginalOffset</c>), zero when absent.</summary>
    public TimeSpan Offset { get; internal set; }

    /// <summary>The <c>@</c> timestamp in milliseconds, when given as a number.</summary>
    public long? Timestamp { get; internal set; }

    /// <summary><see cref="TokenKind.Start"/> or <see cref="TokenKind.End"/> for <c>@ start()</c>/<c>@ end()</c>.</summary>
    public TokenKind? StartOrEnd { get; internal set; }

    internal PositionRange PosRange { get; set; }

    public override ExprType Type => ExprType.Vector;
    public override PositionRange PositionRange => PosRange;
    public override IEnumerable<Expr> Children => [];
}
