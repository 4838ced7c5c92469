namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Expressions: binary operators (precedence climbing), unary operators, primaries, calls, aggregations.</summary>
internal sealed partial class Parser
{
    /// <summary>
    /// Parses an expression whose binary operators all have precedence &gt;= <paramref name="minPrecedence"/>.
    /// All binary operators are left-associative except <c>^</c>.
    /// </summary>
    private Expr ParseExpr(int minPrecedence)
    {
        GuardStack();
        var lhs = ParseUnary();
        while (true)
        {
            var op = Peek();
            var precedence = op.Kind.BinaryPrecedence();
            if (precedence == 0 || precedence < minPrecedence)
            {
                return lhs;
            }
            Consume();
            var matching = ParseBinaryModifiers(out var returnBool);
            var rhs = ParseExpr(op.Kind == TokenKind.Pow ? precedence : precedence + 1);
            lhs = new BinaryExpr(op.Kind, lhs, rhs, matching, returnBool);
        }
    }

    /// <summary>
    /// Unary +/- has the precedence of <c>*</c>: its operand extends over <c>^</c> only (<c>-2^2</c> is
    /// <c>-(2^2)</c>, <c>-a*b</c> is <c>(-a)*b</c>). Applied to a number literal it is folded into the literal.
    /// </summary>
    private Expr ParseUnary()
    {
        var t = Peek();
        if (t.Kind is not (TokenKind.Add or TokenKind.Sub))
        {
            return ParsePostfix(ParsePrimary());
        }
        Consume();
        var operand = ParseExpr(TokenKinds.UnaryPrecedence + 1);
        if (operand is NumberLiteral number)
        {
            if (t.Kind == TokenKind.Sub)
            {
                number.Val = -number.Val;
            }
            number.PosRange = number.PosRange with { Start = t.Pos };
            return number;
        }
        return new UnaryExpr(t.Kind, operand, t.Pos);
    }

    private Expr ParsePrimary()
    {
        GuardStack();
        var t = Peek();
        switch (t.Kind)
        {
            case TokenKind.Number:
                Consume();
                return new NumberLiteral(ParseNumber(t), new PositionRange(t.Pos, t.EndPos));
            case TokenKind.String:
                Consume();
                return new StringLiteral(Unquote(t), new PositionRange(t.Pos, t.EndPos));
            case TokenKind.LeftParen:
                return ParseParen();
            case TokenKind.LeftBrace:
                return ParseVectorSelector(null);
            case TokenKind.Identifier:
                Consume();
                return PeekIs(TokenKind.LeftParen) ? ParseCall(t) : ParseVectorSelector(t);
            case var k when k.IsAggregator():
                Consume();
                return Peek().Kind is TokenKind.LeftParen or TokenKind.By or TokenKind.Without
                    ? ParseAggregation(t)
                    : ParseVectorSelector(t);
            case var k when k.IsMetricIdentifier():
                Consume();
                return ParseVectorSelector(t);
            default:
                throw UnexpectedInExpression();
        }
    }

    private ParenExpr ParseParen()
    {
        var open = Consume();
        var inner = ParseExpr(0);
        if (!PeekIs(TokenKind.RightParen))
        {
            throw UnexpectedInExpression();
        }
        var close = Consume();
        return new ParenExpr(inner, new PositionRange(open.Pos, close.EndPos));
    }

    private Call ParseCall(Token name)
    {
        Consume(); // '('
        var args = ParseArguments();
        if (!Functions.TryGet(name.Val, out var function))
        {
            throw Error(name, $"unknown function with name {GoFormat.Quote(name.Val)}");
        }
        return new Call(function, args, new PositionRange(name.Pos, _lastClosing));
    }

    /// <summary>Parses a comma separated argument list after '(' up to and including ')'.</summary>
    private List<Expr> ParseArguments()
    {
        var args = new List<Expr>();
        if (PeekIs(TokenKind.RightParen))
        {
            Consume();
            return args;
        }
        while (true)
        {
            args.Add(ParseExpr(0));
            var t = Peek();
            if (t.Kind == TokenKind.RightParen)
            {
                Consume();
                return args;
            }
            if (t.Kind != TokenKind.Comma)
            {
                throw UnexpectedInExpression();
            }
            var comma = Consume();
            if (!Peek().Kind.StartsExpression())
            {
                throw Error(comma, "trailing commas not allowed in function call args");
            }
        }
    }

    /// <summary><c>sum by (a) (x)</c>, <c>sum (x) by (a)</c>, <c>sum (x)</c>, <c>topk(5, x)</c>.</summary>
    private AggregateExpr ParseAggregation(Token op)
    {
        _aggregationDepth++;
        IReadOnlyList<string>? grouping = null;
        var without = false;
        var modifierFirst = Peek().Kind is TokenKind.By or TokenKind.Without;
        if (modifierFirst)
        {
            without = Consume().Kind == TokenKind.Without;
            grouping = ParseGroupingLabels();
        }
        if (!PeekIs(TokenKind.LeftParen))
        {
            throw UnexpectedInExpression();
        }
        Consume();
        var args = ParseArguments();
        if (!modifierFirst && Peek().Kind is TokenKind.By or TokenKind.Without)
        {
            without = Consume().Kind == TokenKind.Without;
            grouping = ParseGroupingLabels();
        }
        _aggregationDepth--;

        var range = new PositionRange(op.Pos, _lastClosing);
        if (args.Count == 0)
        {
            throw Error(range, "no arguments for aggregate expression provided");
        }
        var desired = op.Kind.IsAggregatorWithParam() ? 2 : 1;
        if (args.Count != desired)
        {
            throw Error(range,
                $"wrong number of arguments for aggregate expression provided, expected {desired}, got {args.Count}");
        }
        var param = desired == 2 ? args[0] : null;
        return new AggregateExpr(op.Kind, args[desired - 1], param, grouping, without, range);
    }

    private double ParseNumber(Token t)
    {
        var value = GoLiterals.ParseNumber(t.Val, out var error);
        if (error != null)
        {
            throw Error(_lastLexed, "error parsing number: " + error);
        }
        return value;
    }

    private string Unquote(Token t)
    {
        if (!GoStrings.TryUnquote(t.Val, out var value))
        {
            throw Error(_lastLexed, $"error unquoting string {GoFormat.Quote(t.Val)}: invalid syntax");
        }
        return value;
    }

    private TimeSpan ParseDuration(Token t)
    {
        if (!GoLiterals.TryParseDuration(t.Val, out var duration, out var error))
        {
            throw Error(t, error!);
        }
        if (duration == TimeSpan.Zero)
        {
            throw Error(t, "duration must be greater than 0");
        }
        return duration;
    }
}
