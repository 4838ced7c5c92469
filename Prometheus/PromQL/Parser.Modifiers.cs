namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Postfix modifiers (<c>offset</c>, <c>@</c>, <c>[range]</c>, <c>[range:step]</c>) and binary operator
/// modifiers (<c>bool</c>, <c>on</c>/<c>ignoring</c>, <c>group_left</c>/<c>group_right</c>).</summary>
internal sealed partial class Parser
{
    /// <summary>
    /// Postfix modifiers bind tighter than any operator and attach to the preceding primary expression, in any
    /// number and order; which combinations are allowed is checked as each one is applied.
    /// </summary>
    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            switch (Peek().Kind)
            {
                case TokenKind.Offset:
                    Consume();
                    ParseOffset(expr);
                    break;
                case TokenKind.At:
                    Consume();
                    ParseAt(expr);
                    break;
                case TokenKind.LeftBracket:
                    expr = ParseRangeOrSubquery(expr, Consume());
                    break;
                default:
                    return expr;
            }
        }
    }

    private void ParseOffset(Expr expr)
    {
        const string context = "offset";
        var negative = false;
        if (PeekIs(TokenKind.Sub))
        {
            Consume();
            negative = true;
        }
        if (!PeekIs(TokenKind.Duration))
        {
            throw Unexpected(context, "duration");
        }
        var offset = ParseDuration(Consume());
        if (negative)
        {
            offset = -offset;
        }

        switch (expr)
        {
            case VectorSelector vs:
                EnsureNoOffset(expr, vs.Offset);
                vs.Offset = offset;
                vs.PosRange = vs.PosRange with { End = _lastClosing };
                break;
            case MatrixSelector ms:
                var inner = RangeSelectorTarget(ms);
                EnsureNoOffset(expr, inner.Offset);
                inner.Offset = offset;
                ms.EndPos = _lastClosing;
                break;
            case SubqueryExpr sq:
                EnsureNoOffset(expr, sq.Offset);
                sq.Offset = offset;
                sq.EndPos = _lastClosing;
                break;
            default:
                throw Error(expr.PositionRange,
                    "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
    }

    private static void EnsureNoOffset(Expr expr, TimeSpan existing)
    {
        if (existing != TimeSpan.Zero)
        {
            throw Error(expr.PositionRange, "offset may not be set multiple times");
        }
    }

    private static VectorSelector RangeSelectorTarget(MatrixSelector ms) =>
        ms.VectorSelector as VectorSelector ?? throw Error(ms.PositionRange, "ranges only allowed for vector selectors");

    /// <summary><c>@ 123.4</c>, <c>@ -5</c>, <c>@ start()</c>, <c>@ end()</c>.</summary>
    private void ParseAt(Expr expr)
    {
        const string context = "@";
        var t = Peek();
        if (t.Kind is TokenKind.Start or TokenKind.End)
        {
            Consume();
            if (!PeekIs(TokenKind.LeftParen))
            {
                throw Unexpected(context, "timestamp");
            }
            Consume();
            if (!PeekIs(TokenKind.RightParen))
            {
                throw Unexpected(context, "timestamp");
            }
            Consume();
            SetAt(expr, null, t.Kind);
            return;
        }

        var negative = false;
        if (t.Kind is TokenKind.Add or TokenKind.Sub)
        {
            Consume();
            negative = t.Kind == TokenKind.Sub;
        }
        if (!PeekIs(TokenKind.Number))
        {
            throw Unexpected(context, "timestamp");
        }
        var ts = ParseNumber(Consume());
        if (negative)
        {
            ts = -ts;
        }
        if (double.IsInfinity(ts) || double.IsNaN(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0)
        {
            throw Error(expr.PositionRange, "timestamp out of bounds for @ modifier: " + GoFormat.FormatF(ts));
        }
        SetAt(expr, ToMilliseconds(ts), null);
    }

    // timestamp.FromFloatSeconds: int64(math.Round(ts * 1000)); Go's out-of-range conversion yields MinInt64 on amd64.
    private static long ToMilliseconds(double seconds)
    {
        var ms = Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);
        return ms is >= -9223372036854775808.0 and < 9223372036854775808.0 ? (long)ms : long.MinValue;
    }

    private void SetAt(Expr expr, long? timestamp, TokenKind? startOrEnd)
    {
        switch (expr)
        {
            case VectorSelector vs:
                EnsureNoAt(expr, vs.Timestamp, vs.StartOrEnd);
                (vs.Timestamp, vs.StartOrEnd) = (timestamp, startOrEnd);
                vs.PosRange = vs.PosRange with { End = _lastClosing };
                break;
            case MatrixSelector ms:
                var inner = RangeSelectorTarget(ms);
                EnsureNoAt(expr, inner.Timestamp, inner.StartOrEnd);
                (inner.Timestamp, inner.StartOrEnd) = (timestamp, startOrEnd);
                ms.EndPos = _lastClosing;
                break;
            case SubqueryExpr sq:
                EnsureNoAt(expr, sq.Timestamp, sq.StartOrEnd);
                (sq.Timestamp, sq.StartOrEnd) = (timestamp, startOrEnd);
                sq.EndPos = _lastClosing;
                break;
            default:
                throw Error(expr.PositionRange,
                    "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
    }

    private static void EnsureNoAt(Expr expr, long? timestamp, TokenKind? startOrEnd)
    {
        if (timestamp != null || startOrEnd != null)
        {
            throw Error(expr.PositionRange, "@ <timestamp> may not be set multiple times");
        }
    }

    /// <summary><c>[5m]</c> (range selector) or <c>[5m:]</c> / <c>[5m:1m]</c> (subquery); '[' is consumed.</summary>
    private Expr ParseRangeOrSubquery(Expr expr, Token open)
    {
        if (!PeekIs(TokenKind.Duration))
        {
            throw Unexpected("subquery selector", "duration");
        }
        var range = ParseDuration(Consume());
        var t = Peek();
        if (t.Kind == TokenKind.RightBracket)
        {
            var close = Consume();
            var error = expr switch
            {
                VectorSelector { Offset: var o } when o != TimeSpan.Zero => "no offset modifiers allowed before range",
                VectorSelector { Timestamp: not null } => "no @ modifiers allowed before range",
                VectorSelector => null,
                _ => "ranges only allowed for vector selectors",
            };
            if (error != null)
            {
                throw Error(new PositionRange(open.Pos, close.EndPos), error);
            }
            return new MatrixSelector(expr, range, _lastClosing);
        }
        if (t.Kind != TokenKind.Colon)
        {
            throw Unexpected("subquery or range", "\":\" or \"]\"");
        }
        Consume();
        var step = TimeSpan.Zero;
        if (PeekIs(TokenKind.Duration))
        {
            step = ParseDuration(Consume());
            if (!PeekIs(TokenKind.RightBracket))
            {
                throw Unexpected("subquery selector", "\"]\"");
            }
        }
        else if (!PeekIs(TokenKind.RightBracket))
        {
            throw Unexpected("subquery selector", "duration or \"]\"");
        }
        var end = Consume();
        return new SubqueryExpr(expr, range, step, end.Pos + 1);
    }

    /// <summary>The modifiers after a binary operator: <c>bool</c>, then <c>on(...)</c>/<c>ignoring(...)</c>,
    /// then <c>group_left[(...)]</c>/<c>group_right[(...)]</c>.</summary>
    private VectorMatching ParseBinaryModifiers(out bool returnBool)
    {
        var matching = new VectorMatching { Card = VectorMatchCardinality.OneToOne };
        returnBool = false;
        if (PeekIs(TokenKind.Bool))
        {
            Consume();
            returnBool = true;
        }
        if (Peek().Kind is not (TokenKind.On or TokenKind.Ignoring))
        {
            return matching;
        }
        matching.On = Consume().Kind == TokenKind.On;
        matching.MatchingLabels = ParseGroupingLabels();

        var group = Peek().Kind;
        if (group is not (TokenKind.GroupLeft or TokenKind.GroupRight))
        {
            return matching;
        }
        Consume();
        matching.Card = group == TokenKind.GroupLeft
            ? VectorMatchCardinality.ManyToOne
            : VectorMatchCardinality.OneToMany;
        // group_left/group_right may be followed directly by the right-hand side; anything that cannot start an
        // expression is reported as a malformed label list.
        if (PeekIs(TokenKind.LeftParen) || !Peek().Kind.StartsExpression())
        {
            matching.Include = ParseGroupingLabels();
        }
        return matching;
    }
}
