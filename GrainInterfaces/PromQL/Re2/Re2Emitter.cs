using System.Globalization;
using System.Text;

namespace OrleansExemplars.GrainInterfaces.PromQL.Re2;

/// <summary>
/// Writes a parsed RE2 expression as an equivalent .NET pattern (to be used without RegexOptions other than
/// CultureInvariant): RE2's ASCII-only <c>\d \s \w \b</c>, its <c>$</c> (end of text only), its flag scoping,
/// POSIX classes, <c>\Q..\E</c> etc. are all spelled out explicitly. Code points above U+FFFF in character class
/// ranges cannot be expressed in .NET classes and are dropped from ranges (literals are kept).
/// </summary>
internal static class Re2Emitter
{
    private const string WordClass = "[0-9A-Za-z_]";

    public static string Emit(Re2Node node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Re2Node node)
    {
        switch (node)
        {
            case Re2Literal lit:
                if (lit.FoldCase)
                {
                    sb.Append("(?i:");
                    AppendLiteral(sb, lit.Rune);
                    sb.Append(')');
                }
                else
                {
                    AppendLiteral(sb, lit.Rune);
                }
                break;
            case Re2CharClass cls:
                WriteClass(sb, cls);
                break;
            case Re2AnyChar any:
                sb.Append(any.MatchNewline ? @"[\s\S]" : @"[^\n]");
                break;
            case Re2Assertion a:
                sb.Append(a.Kind switch
                {
                    Re2AssertionKind.BeginText => @"\A",
                    Re2AssertionKind.EndText => @"\z",
                    Re2AssertionKind.BeginLine => "(?m:^)",
                    Re2AssertionKind.EndLine => "(?m:$)",
                    Re2AssertionKind.WordBoundary =>
                        $"(?:(?<={WordClass})(?!{WordClass})|(?<!{WordClass})(?={WordClass}))",
                    _ => $"(?:(?<={WordClass})(?={WordClass})|(?<!{WordClass})(?!{WordClass}))",
                });
                break;
            case Re2Group g:
                sb.Append("(?:");
                Write(sb, g.Sub);
                sb.Append(')');
                break;
            case Re2Concat c:
                foreach (var sub in c.Subs)
                {
                    Write(sb, sub);
                }
                break;
            case Re2Alternate alt:
                sb.Append("(?:");
                for (var i = 0; i < alt.Subs.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('|');
                    }
                    Write(sb, alt.Subs[i]);
                }
                sb.Append(')');
                break;
            case Re2Repeat r:
                sb.Append("(?:");
                Write(sb, r.Sub);
                sb.Append(')');
                sb.Append((r.Min, r.Max) switch
                {
                    (0, -1) => "*",
                    (1, -1) => "+",
                    (0, 1) => "?",
                    (var n, -1) => $"{{{n},}}",
                    var (n, m) when n == m => $"{{{n}}}",
                    var (n, m) => $"{{{n},{m}}}",
                });
                if (!r.Greedy)
                {
                    sb.Append('?');
                }
                break;
            default:
                throw new InvalidOperationException($"unknown regex node {node.GetType().Name}");
        }
    }

    private static void AppendLiteral(StringBuilder sb, int rune)
    {
        if (rune > 0xFFFF)
        {
            sb.Append("(?:").Append(char.ConvertFromUtf32(rune)).Append(')');
            return;
        }
        AppendEscapedChar(sb, rune);
    }

    private static void AppendEscapedChar(StringBuilder sb, int c)
    {
        if (char.IsAsciiLetterOrDigit((char)c) || c == '_')
        {
            sb.Append((char)c);
        }
        else
        {
            sb.Append("\\u").Append(c.ToString("X4", CultureInfo.InvariantCulture));
        }
    }

    private static void WriteClass(StringBuilder sb, Re2CharClass cls)
    {
        foreach (var (category, _) in cls.Categories)
        {
            if (!Re2Tables.Categories.Contains(category))
            {
                throw new NotSupportedException($"Unicode script class \\p{{{category}}} is not supported");
            }
        }
        var items = new StringBuilder();
        foreach (var (lo, hi) in cls.Ranges)
        {
            if (lo > 0xFFFF)
            {
                continue;
            }
            AppendEscapedChar(items, lo);
            var top = Math.Min(hi, 0xFFFF);
            if (top > lo)
            {
                items.Append('-');
                AppendEscapedChar(items, top);
            }
        }
        foreach (var (category, negated) in cls.Categories)
        {
            items.Append(negated ? @"\P{" : @"\p{").Append(category).Append('}');
        }

        string text;
        if (items.Length == 0)
        {
            text = cls.Negated ? @"[\s\S]" : "(?!)"; // [^] matches anything, [] nothing
        }
        else
        {
            text = (cls.Negated ? "[^" : "[") + items + "]";
        }
        sb.Append(cls.FoldCase ? "(?i:" + text + ")" : text);
    }
}
