namespace OrleansExemplars.Prometheus.Re2;

/// <summary>A node of a parsed RE2 (Go <c>regexp/syntax</c>) regular expression.</summary>
internal abstract record Re2Node;

/// <summary>A single code point; <see cref="FoldCase"/> when matched case-insensitively.</summary>
internal sealed record Re2Literal(int Rune, bool FoldCase) : Re2Node;

/// <summary>
/// A character class, <c>.</c> or a Perl/POSIX/Unicode class escape, resolved to the code points it matches (case
/// folding and negation applied as Go applies them). <see cref="UnsupportedScript"/> names a Unicode script class
/// (<c>\p{Greek}</c>) in it: Go accepts it, but .NET has no script tables, so such a pattern cannot be run here.
/// </summary>
internal sealed record Re2CharClass(CodePointSet Set, string? UnsupportedScript = null) : Re2Node;

internal enum Re2AssertionKind
{
    BeginText,
    EndText,
    BeginLine,
    EndLine,
    WordBoundary,
    NoWordBoundary,
}

internal sealed record Re2Assertion(Re2AssertionKind Kind) : Re2Node;

/// <summary>A parenthesised group (capturing or not; captures are irrelevant for matching).</summary>
internal sealed record Re2Group(Re2Node Sub) : Re2Node;

internal sealed record Re2Concat(IReadOnlyList<Re2Node> Subs) : Re2Node;

internal sealed record Re2Alternate(IReadOnlyList<Re2Node> Subs) : Re2Node;

/// <summary><c>x*</c>, <c>x+</c>, <c>x?</c>, <c>x{n,m}</c>; <see cref="Max"/> is -1 when unbounded.</summary>
internal sealed record Re2Repeat(Re2Node Sub, int Min, int Max, bool Greedy, bool Counted) : Re2Node;

/// <summary>A parse error, rendered like Go's <c>syntax.Error</c>.</summary>
internal sealed class Re2Exception(string code, string expr) : Exception($"error parsing regexp: {code}: `{expr}`");

internal static class Re2ErrorCodes
{
    public const string InvalidCharClass = "invalid character class";
    public const string InvalidCharRange = "invalid character class range";
    public const string InvalidEscape = "invalid escape sequence";
    public const string InvalidNamedCapture = "invalid named capture";
    public const string InvalidPerlOp = "invalid or unsupported Perl syntax";
    public const string InvalidRepeatOp = "invalid nested repetition operator";
    public const string InvalidRepeatSize = "invalid repeat count";
    public const string MissingBracket = "missing closing ]";
    public const string MissingParen = "missing closing )";
    public const string MissingRepeatArgument = "missing argument to repetition operator";
    public const string TrailingBackslash = "trailing backslash at end of expression";
    public const string UnexpectedParen = "unexpected )";
    public const string NestingDepth = "expression nests too deeply";
}
