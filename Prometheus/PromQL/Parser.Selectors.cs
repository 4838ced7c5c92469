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
            if (label.Kind != TokenKind.Identifier)
            {
                throw Unexpected(context, "identifier or \"}\"");
            }
            Consume();
            var op = Peek();
            if (op.Kind is not (TokenKind.Eql or TokenKind.Neq or TokenKind.EqlRegex or TokenKind.NeqRegex))
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
            matchers.Add(NewLabelMatcher(label, op, value));

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

    private LabelMatcher NewLabelMatcher(Token label, Token op, Token value)
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
            return new LabelMatcher(type, label.Val, text);
        }
        catch (Re2UnsupportedException e)
        {
            // Valid RE2 that this server cannot run (\p{Greek}): a bad request, not a server error.
            throw Error(new PositionRange(label.Pos, value.EndPos), e.Message);
        }
    }

    /// <summary>
    /// <c>(a, b,)</c> after <c>by</c>, <c>without</c>, <c>on</c>, <c>ignoring</c>, <c>group_left</c> or
    /// <c>group_right</c>. Label names may be keywords (except <c>without</c>).
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
            if (!label.Kind.IsMaybeLabel())
            {
                throw Unexpected(context, "label");
            }
            Consume();
            if (!Lexer.IsLabel(label.Val))
            {
                throw Unexpected(context, "label");
            }
            labels.Add(label.Val);

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
