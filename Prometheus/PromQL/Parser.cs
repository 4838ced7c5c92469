using System.Runtime.CompilerServices;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// Recursive-descent / precedence-climbing parser for PromQL as accepted by Prometheus 2.42, plus Prometheus 3's
/// quoted metric and label names unless <see cref="NameValidationScheme.Legacy"/> is asked for. Prometheus uses a
/// yacc (LALR) parser that keeps going after errors but reports only the first one; this parser stops at the first
/// error and is careful to detect errors in the same order and to phrase "unexpected ..." errors with the same
/// context the LALR error-recovery rules would produce.
/// </summary>
internal sealed partial class Parser
{
    private readonly Lexer _lexer;
    private Token? _peeked;

    // The most recently lexed token (yacc's lval): the one "unexpected" errors complain about.
    private Token _lastLexed;

    // End of the most recently lexed closing token (')', '}', ']', duration or number), as in Prometheus.
    private int _lastClosing;

    // Number of aggregations whose argument list is being parsed; inside one, syntax errors that no nearer rule
    // handles are reported "in aggregation" (yacc's 'aggregate_op error' rule).
    private int _aggregationDepth;

    // Prometheus 3's quoted metric and label names ({"a.b", "c.d"="e"}, by ("f.g")); off: 2.42's grammar exactly.
    private readonly bool _utf8Names;

    private Parser(string input, NameValidationScheme names)
    {
        _lexer = new Lexer(input);
        _utf8Names = names == NameValidationScheme.Utf8;
    }

    /// <summary>Parses and type checks <paramref name="input"/>; throws <see cref="PromQLParseException"/>.</summary>
    public static Expr Parse(string input, NameValidationScheme names = NameValidationScheme.Utf8)
    {
        var parser = new Parser(input, names);
        try
        {
            var expr = parser.ParseTop();
            TypeChecker.Check(expr, parser._lexer.InputBytes);
            return expr;
        }
        catch (ParseFailure f)
        {
            throw new PromQLParseException(input, f.Start, f.End, f.Message);
        }
        catch (InsufficientExecutionStackException)
        {
            var pos = parser._lastLexed.Pos;
            throw new PromQLParseException(input, pos, pos, "expression nests too deeply");
        }
    }

    private Expr ParseTop()
    {
        if (Peek().Kind == TokenKind.Eof)
        {
            throw new ParseFailure(0, 0, "no expression found in input");
        }
        var expr = ParseExpr(0);
        if (Peek().Kind != TokenKind.Eof)
        {
            throw UnexpectedInExpression();
        }
        return expr;
    }

    // ---- token stream ----

    private Token Peek() => _peeked ??= Lex();

    private Token Consume()
    {
        var t = Peek();
        _peeked = null;
        return t;
    }

    private bool PeekIs(TokenKind kind) => Peek().Kind == kind;

    private Token Lex()
    {
        Token t;
        do
        {
            t = _lexer.NextToken();
        }
        while (t.Kind == TokenKind.Comment);
        _lastLexed = t;
        switch (t.Kind)
        {
            case TokenKind.Error:
                throw new ParseFailure(t.Pos, _lexer.InputBytes.Length, t.Val);
            case TokenKind.RightBrace or TokenKind.RightParen or TokenKind.RightBracket or TokenKind.Duration
                or TokenKind.Number:
                _lastClosing = t.EndPos;
                break;
        }
        return t;
    }

    // ---- errors ----

    private static ParseFailure Error(PositionRange range, string detail) => ParseFailure.At(range, detail);

    private static ParseFailure Error(Token t, string detail) => new(t.Pos, t.EndPos, detail);

    /// <summary>Prometheus' <c>unexpected(context, expected)</c>: complains about the last lexed token.</summary>
    private ParseFailure Unexpected(string context, string expected)
    {
        var t = _lastLexed;
        var msg = "unexpected " + t.Describe();
        if (context.Length > 0)
        {
            msg += " in " + context;
        }
        if (expected.Length > 0)
        {
            msg += ", expected " + expected;
        }
        return Error(t, msg);
    }

    /// <summary>A syntax error inside an expression, where only the generic fallback rules apply.</summary>
    private ParseFailure UnexpectedInExpression() =>
        Unexpected(_aggregationDepth > 0 ? "aggregation" : "", "");

    private static void GuardStack() => RuntimeHelpers.EnsureSufficientExecutionStack();
}
