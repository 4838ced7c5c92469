using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Re2;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>Vector selectors, label matchers and grouping label lists.</summary>
internal sealed partial class Parser
{
    private const string MetricNameLabel = "__name__";

    /// <summary>
    /// <c>name</c>, <c>name{...}</c> or <c>{...}</c> (<paramref name="name"/> null); the name token has been consumed.
    /// A name given before the braces becomes a trailing <c>__name__</c> equality matcher.
    /// </summary>
    private VectorSelector ParseVectorSelector(Token? name)
    {
        var matchers = new List<LabelMatcher>();
        PositionRange range;
        if (PeekIs(TokenKind.LeftBrace))
        {
            var braces = ParseLabelMatchers(matchers);
            range = name is { } n ? new PositionRange(n.Pos, braces.End) : braces;
        }
        else
        {
            range = new PositionRange(name!.Value.Pos, name.Value.EndPos);
        }
        if (name is { } metric)
        {
            matchers.Add(LabelMatcher.Equal(MetricNameLabel, metric.Val));
        }
        return new VectorSelector(name?.Val ?? "", matchers, range);
    }

    /// <summary>Parses <c>{a="b", c=~"d",}</c> into <paramref name="matchers"/>; returns the range of the braces.</summary>
    private PositionRange ParseLabelMatchers(List<LabelMatcher> matchers)
    {
        const string context = "label matching";
        var open = Consume();
        if (PeekIs(TokenKind.RightBrace))
        {
            return new PositionRange(open.Pos, Consume().EndPos);
        }
        while (true)
        {
            var label = Peek();
            if (label.Kind == TokenKind.String && _utf8Names)
            {
                matchers.Add(ParseQuotedMatcher(context));
            }
            else
            {
                if (label.Kind != TokenKind.Identifier)
                {
                    throw Unexpected(context, "identifier or \"}\"");
                }
                Consume();
                var op = Peek();
                if (!IsMatchOp(op.Kind))
                {
                    throw Unexpected(context, "label matching operator");
                }
                Consume();
                var value = Peek();
                if (value.Kind != TokenKind.String)
                {
                    throw Unexpected(context, "string");
                }
                Consume();
                matchers.Add(NewLabelMatcher(label, label.Val, op, value));
            }

            var next = Peek();
            if (next.Kind == TokenKind.RightBrace)
            {
                return new PositionRange(open.Pos, Consume().EndPos);
            }
            if (next.Kind != TokenKind.Comma)
            {
                throw Unexpected(context, "\",\" or \"}\"");
            }
            Consume();
            if (PeekIs(TokenKind.RightBrace))
            {
                return new PositionRange(open.Pos, Consume().EndPos);
            }
        }
    }

    private static bool IsMatchOp(TokenKind kind) =>
        kind is TokenKind.Eql or TokenKind.Neq or TokenKind.EqlRegex or TokenKind.NeqRegex;

    /// <summary>
    /// Prometheus 3's quoted names in braces (grammar rules <c>string_identifier match_op STRING</c> and
    /// <c>string_identifier</c>): <c>"label.name"="v"</c> is a matcher on that label, a quoted string alone is the
    /// metric name (<c>{"http.server.request.duration"}</c> = <c>{__name__="http.server.request.duration"}</c>).
    /// The string is unquoted before the next token is read, as the grammar reduces it.
    /// </summary>
    private LabelMatcher ParseQuotedMatcher(string context)
    {
        var label = Consume();
        var name = Unquote(label);
        var op = Peek();
        if (!IsMatchOp(op.Kind))
        {
            // Whatever follows is judged by the matcher list: "," or "}" expected.
            return LabelMatcher.Equal(MetricNameLabel, name);
        }
        Consume();
        var value = Peek();
        if (value.Kind != TokenKind.String)
        {
            throw Unexpected(context, "string");
        }
        Consume();
        return NewLabelMatcher(label, name, op, value);
    }

    private LabelMatcher NewLabelMatcher(Token label, string name, Token op, Token value)
    {
        var text = Unquote(value);
        var type = op.Kind switch
        {
            TokenKind.Eql => LabelMatchType.Equal,
            TokenKind.Neq => LabelMatchType.NotEqual,
            TokenKind.EqlRegex => LabelMatchType.RegexMatch,
            _ => LabelMatchType.RegexNoMatch,
        };
        if (type is LabelMatchType.RegexMatch or LabelMatchType.RegexNoMatch &&
            Re2Syntax.Validate(text) is { } regexError)
        {
            throw Error(new PositionRange(label.Pos, value.EndPos), regexError);
        }
        try
        {
            return new LabelMatcher(type, name, text);
        }
        catch (Re2UnsupportedException e)
        {
            // Valid RE2 that this server cannot run (\p{Greek}): a bad request, not a server error.
            throw Error(new PositionRange(label.Pos, value.EndPos), e.Message);
        }
    }

    /// <summary>
    /// <c>(a, b,)</c> after <c>by</c>, <c>without</c>, <c>on</c>, <c>ignoring</c>, <c>group_left</c> or
    /// <c>group_right</c>. Label names may be keywords (except <c>without</c>), and with UTF-8 names quoted strings.
    /// </summary>
    private List<string> ParseGroupingLabels()
    {
        const string context = "grouping opts";
        if (!PeekIs(TokenKind.LeftParen))
        {
            throw Unexpected(context, "\"(\"");
        }
        Consume();
        var labels = new List<string>();
        if (PeekIs(TokenKind.RightParen))
        {
            Consume();
            return labels;
        }
        while (true)
        {
            var label = Peek();
            if (label.Kind == TokenKind.String && _utf8Names)
            {
                // Prometheus 3: a quoted label name, any non-empty UTF-8.
                Consume();
                var name = Unquote(label);
                if (name.Length == 0)
                {
                    throw Error(label, $"invalid label name for grouping: {GoFormat.Quote(name)}");
                }
                labels.Add(name);
            }
            else
            {
                if (!label.Kind.IsMaybeLabel())
                {
                    throw Unexpected(context, "label");
                }
                Consume();
                // Prometheus 3 checks identifiers by the UTF-8 rules too, so "a:b" is a label name there; 2.42
                // wanted [a-zA-Z_][a-zA-Z0-9_]*.
                if (!_utf8Names && !Lexer.IsLabel(label.Val))
                {
                    throw Unexpected(context, "label");
                }
                labels.Add(label.Val);
            }

            var next = Peek();
            if (next.Kind == TokenKind.RightParen)
            {
                Consume();
                return labels;
            }
            if (next.Kind != TokenKind.Comma)
            {
                throw Unexpected(context, "\",\" or \")\"");
            }
            Consume();
            if (PeekIs(TokenKind.RightParen))
            {
                Consume();
                return labels;
            }
        }
    }
}
