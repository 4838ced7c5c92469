using System.Text;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>A lexer item: its kind, its start as a UTF-8 byte offset into the query, and its exact source text
/// (for <see cref="TokenKind.Error"/> the error detail instead).</summary>
public readonly record struct Token(TokenKind Kind, int Pos, string Val)
{
    /// <summary>Length of <see cref="Val"/> in UTF-8 bytes.</summary>
    public int ByteLength => Encoding.UTF8.GetByteCount(Val);

    /// <summary>End (exclusive) of the token as a UTF-8 byte offset.</summary>
    public int EndPos => Pos + ByteLength;

    // Go's item type number for AT, which has no string representation and is therefore rendered as "<Item N>".
    private const int GoAtItemNumber = 57385;

    /// <summary>Prometheus' <c>Item.String()</c>.</summary>
    public override string ToString()
    {
        if (Kind == TokenKind.Eof)
        {
            return "EOF";
        }
        if (Kind == TokenKind.Error)
        {
            return Val;
        }
        if (Kind is TokenKind.Identifier or TokenKind.MetricIdentifier)
        {
            return GoFormat.Quote(Val);
        }
        if (Kind.IsKeyword())
        {
            return $"<{Val}>";
        }
        if (Kind.IsOperator())
        {
            return $"<op:{Val}>";
        }
        if (Kind.IsAggregator())
        {
            return $"<aggr:{Val}>";
        }
        return ByteLength > 10 ? GoFormat.Quote(Val, 10) + "..." : GoFormat.Quote(Val);
    }

    /// <summary>Prometheus' <c>Item.desc()</c>, used in "unexpected ..." messages.</summary>
    public string Describe()
    {
        if (Kind == TokenKind.At)
        {
            return $"\"<Item {GoAtItemNumber}>\" {this}";
        }
        if (TokenKinds.TryGetSpelling(Kind, out _))
        {
            return ToString();
        }
        var kindDesc = Kind switch
        {
            TokenKind.Eof => "end of input",
            TokenKind.Error => "error",
            TokenKind.Comment => "comment",
            TokenKind.Identifier => "identifier",
            TokenKind.MetricIdentifier => "metric identifier",
            TokenKind.String => "string",
            TokenKind.Number => "number",
            TokenKind.Duration => "duration",
            _ => GoFormat.Quote(TokenKinds.Spelling(Kind)),
        };
        return Kind == TokenKind.Eof ? kindDesc : $"{kindDesc} {this}";
    }
}
