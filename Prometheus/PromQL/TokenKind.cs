namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// Token (lexer item) types of the PromQL lexer, mirroring the item types of Prometheus 2.42's
/// <c>promql/parser</c>. The grouping (operators, aggregators, keywords, preprocessors) matters for how a token is
/// described in error messages and is exposed through <see cref="TokenKinds"/>.
/// </summary>
public enum TokenKind
{
    Error,
    Eof,
    Comment,
    Identifier,
    MetricIdentifier,
    Number,
    String,
    Duration,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Eql,
    Colon,

    // Operators.
    OperatorsStart,
    Add,
    Div,
    Eqlc,
    EqlRegex,
    Gte,
    Gtr,
    And,
    Or,
    Lss,
    Lte,
    Unless,
    Mod,
    Mul,
    Neq,
    NeqRegex,
    Pow,
    Sub,
    At,
    Atan2,
    OperatorsEnd,

    // Aggregators.
    AggregatorsStart,
    Avg,
    Bottomk,
    Count,
    CountValues,
    Group,
    Max,
    Min,
    Quantile,
    Stddev,
    Stdvar,
    Sum,
    Topk,
    AggregatorsEnd,

    // Keywords.
    KeywordsStart,
    Bool,
    By,
    GroupLeft,
    GroupRight,
    Ignoring,
    Offset,
    On,
    Without,
    KeywordsEnd,

    // Preprocessors (only meaningful after '@').
    Start,
    End,
}

/// <summary>Classification helpers and canonical spellings for <see cref="TokenKind"/>.</summary>
public static class TokenKinds
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.Ordinal)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["unless"] = TokenKind.Unless,
        ["atan2"] = TokenKind.Atan2,
        ["sum"] = TokenKind.Sum,
        ["avg"] = TokenKind.Avg,
        ["count"] = TokenKind.Count,
        ["min"] = TokenKind.Min,
        ["max"] = TokenKind.Max,
        ["group"] = TokenKind.Group,
        ["stddev"] = TokenKind.Stddev,
        ["stdvar"] = TokenKind.Stdvar,
        ["topk"] = TokenKind.Topk,
        ["bottomk"] = TokenKind.Bottomk,
        ["count_values"] = TokenKind.CountValues,
        ["quantile"] = TokenKind.Quantile,
        ["offset"] = TokenKind.Offset,
        ["by"] = TokenKind.By,
        ["without"] = TokenKind.Without,
        ["on"] = TokenKind.On,
        ["ignoring"] = TokenKind.Ignoring,
        ["group_left"] = TokenKind.GroupLeft,
        ["group_right"] = TokenKind.GroupRight,
        ["bool"] = TokenKind.Bool,
        ["start"] = TokenKind.Start,
        ["end"] = TokenKind.End,
    };

    private static readonly Dictionary<TokenKind, string> Spellings = BuildSpellings();

    private static Dictionary<TokenKind, string> BuildSpellings()
    {
        var d = new Dictionary<TokenKind, string>
        {
            [TokenKind.LeftParen] = "(",
            [TokenKind.RightParen] = ")",
            [TokenKind.LeftBrace] = "{",
            [TokenKind.RightBrace] = "}",
            [TokenKind.LeftBracket] = "[",
            [TokenKind.RightBracket] = "]",
            [TokenKind.Comma] = ",",
            [TokenKind.Eql] = "=",
            [TokenKind.Colon] = ":",
            [TokenKind.Sub] = "-",
            [TokenKind.Add] = "+",
            [TokenKind.Mul] = "*",
            [TokenKind.Mod] = "%",
            [TokenKind.Div] = "/",
            [TokenKind.Eqlc] = "==",
            [TokenKind.Neq] = "!=",
            [TokenKind.Lte] = "<=",
            [TokenKind.Lss] = "<",
            [TokenKind.Gte] = ">=",
            [TokenKind.Gtr] = ">",
            [TokenKind.EqlRegex] = "=~",
            [TokenKind.NeqRegex] = "!~",
            [TokenKind.Pow] = "^",
        };
        foreach (var (word, kind) in Keywords)
        {
            d[kind] = word;
        }
        return d;
    }

    /// <summary>
    /// Looks up a keyword case-insensitively (as Prometheus lower-cases the word first). <c>inf</c> and <c>nan</c>
    /// are reported as <see cref="TokenKind.Number"/>.
    /// </summary>
    public static bool TryGetKeyword(string word, out TokenKind kind)
    {
        var lower = word.ToLowerInvariant();
        if (lower is "inf" or "nan")
        {
            kind = TokenKind.Number;
            return true;
        }
        return Keywords.TryGetValue(lower, out kind);
    }

    /// <summary>The canonical spelling (e.g. <c>"+"</c>, <c>"sum"</c>), if the kind has one.</summary>
    public static bool TryGetSpelling(TokenKind kind, out string spelling) =>
        Spellings.TryGetValue(kind, out spelling!);

    /// <summary>The canonical spelling, or Go's fallback <c>&lt;Item N&gt;</c> rendering.</summary>
    public static string Spelling(TokenKind kind) =>
        Spellings.TryGetValue(kind, out var s) ? s : $"<Item {(int)kind}>";

    public static bool IsOperator(this TokenKind k) => k > TokenKind.OperatorsStart && k < TokenKind.OperatorsEnd;

    public static bool IsAggregator(this TokenKind k) => k > TokenKind.AggregatorsStart && k < TokenKind.AggregatorsEnd;

    public static bool IsAggregatorWithParam(this TokenKind k) =>
        k is TokenKind.Topk or TokenKind.Bottomk or TokenKind.CountValues or TokenKind.Quantile;

    public static bool IsKeyword(this TokenKind k) => k > TokenKind.KeywordsStart && k < TokenKind.KeywordsEnd;

    public static bool IsComparisonOperator(this TokenKind k) =>
        k is TokenKind.Eqlc or TokenKind.Neq or TokenKind.Lte or TokenKind.Lss or TokenKind.Gte or TokenKind.Gtr;

    public static bool IsSetOperator(this TokenKind k) => k is TokenKind.And or TokenKind.Or or TokenKind.Unless;

    /// <summary>Binary operator precedence (higher binds tighter); 0 when <paramref name="k"/> is no binary operator.</summary>
    public static int BinaryPrecedence(this TokenKind k) => k switch
    {
        TokenKind.Or => 1,
        TokenKind.And or TokenKind.Unless => 2,
        TokenKind.Eqlc or TokenKind.Neq or TokenKind.Lte or TokenKind.Lss or TokenKind.Gte or TokenKind.Gtr => 3,
        TokenKind.Add or TokenKind.Sub => 4,
        TokenKind.Mul or TokenKind.Div or TokenKind.Mod or TokenKind.Atan2 => 5,
        TokenKind.Pow => 6,
        _ => 0,
    };

    /// <summary>Precedence the grammar gives to unary <c>+</c>/<c>-</c> (that of <c>*</c>).</summary>
    public const int UnaryPrecedence = 5;

    /// <summary>Tokens the grammar accepts as a metric name (<c>metric_identifier</c>).</summary>
    public static bool IsMetricIdentifier(this TokenKind k) => k switch
    {
        TokenKind.Identifier or TokenKind.MetricIdentifier => true,
        TokenKind.By or TokenKind.Without or TokenKind.Offset => true,
        TokenKind.And or TokenKind.Or or TokenKind.Unless => true,
        TokenKind.Start or TokenKind.End => true,
        _ => k.IsAggregator(),
    };

    /// <summary>Tokens the grammar accepts as a label name in grouping lists (<c>maybe_label</c>).</summary>
    public static bool IsMaybeLabel(this TokenKind k) => k switch
    {
        TokenKind.Identifier or TokenKind.MetricIdentifier => true,
        TokenKind.Bool or TokenKind.By or TokenKind.GroupLeft or TokenKind.GroupRight => true,
        TokenKind.Ignoring or TokenKind.Offset or TokenKind.On => true,
        TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Atan2 => true,
        TokenKind.Start or TokenKind.End => true,
        _ => k.IsAggregator(),
    };

    /// <summary>Tokens that can begin an expression (FIRST(expr) of the grammar).</summary>
    public static bool StartsExpression(this TokenKind k) => k switch
    {
        TokenKind.Number or TokenKind.String => true,
        TokenKind.LeftParen or TokenKind.LeftBrace => true,
        TokenKind.Add or TokenKind.Sub => true,
        _ => k.IsMetricIdentifier(),
    };
}
