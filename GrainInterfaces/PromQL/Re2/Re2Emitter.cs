using System.Globalization;
using System.Text;

namespace OrleansExemplars.GrainInterfaces.PromQL.Re2;

/// <summary>
/// Writes a parsed RE2 expression as an equivalent .NET pattern for <c>RegexOptions.NonBacktracking</c> (so no
/// lookarounds): RE2's <c>$</c> (end of text only), flag scoping, POSIX classes, <c>\Q..\E</c> etc. are spelled out
/// explicitly, and every class is written from its resolved code points, since .NET matches UTF-16 code units where
/// RE2 matches code points: a code point above U+FFFF becomes its surrogate pair (<c>.</c> never matches half of
/// one), case folding is already in the sets (no <c>(?i)</c>, whose table differs from Go's), and no <c>\p{..}</c>
/// is left for .NET to apply to code units. Word boundaries (<c>\b</c>, <c>\B</c>) have no such form: they throw
/// <see cref="NotSupportedException"/>, and the caller runs those patterns on <see cref="Re2Nfa"/>.
/// Input strings are assumed well-formed UTF-16 (label values decoded from UTF-8 always are).
/// </summary>
internal static class Re2Emitter
{
    private const int FirstAstral = 0x10000;

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
                if (lit.FoldCase && Re2Unicode.Orbit(lit.Rune) is { Count: > 1 } orbit)
                {
                    var builder = new CodePointSet.Builder();
                    foreach (var rune in orbit)
                    {
                        builder.Add(rune, rune);
                    }
                    WriteSet(sb, builder.ToSet());
                }
                else
                {
                    AppendRune(sb, lit.Rune);
                }
                break;
            case Re2CharClass cls:
                if (cls.UnsupportedScript is { } script)
                {
                    throw new NotSupportedException($"Unicode script class \\p{{{script}}}");
                }
                WriteSet(sb, cls.Set);
                break;
            case Re2Assertion a:
                sb.Append(a.Kind switch
                {
                    Re2AssertionKind.BeginText => @"\A",
                    Re2AssertionKind.EndText => @"\z",
                    Re2AssertionKind.BeginLine => "(?m:^)",
                    Re2AssertionKind.EndLine => "(?m:$)",
                    _ => throw new NotSupportedException("ASCII word boundaries need lookarounds in .NET"),
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
                WriteRepeat(sb, r);
                break;
            default:
                throw new InvalidOperationException($"unknown regex node {node.GetType().Name}");
        }
    }

    private static void WriteRepeat(StringBuilder sb, Re2Repeat r)
    {
        if (r is { Max: -1, Min: <= 1, Sub: Re2CharClass { UnsupportedScript: null } cls } &&
            cls.Set.ContainsRange(FirstAstral, CodePointSet.MaxRune))
        {
            // `.*`, `[^a]+`: a run of code points that takes every astral one is the same run of code units with
            // surrogates allowed (its ends sit between code points, the atoms around it being whole code points),
            // which .NET matches much faster than an alternation.
            sb.Append('[');
            AppendBmpRanges(sb, cls.Set);
            sb.Append(@"\uD800-\uDFFF]");
        }
        else
        {
            sb.Append("(?:");
            Write(sb, r.Sub);
            sb.Append(')');
        }
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
    }

    private static void AppendRune(StringBuilder sb, int rune)
    {
        if (rune >= FirstAstral)
        {
            var pair = char.ConvertFromUtf32(rune);
            sb.Append("(?:");
            AppendUnit(sb, pair[0]);
            AppendUnit(sb, pair[1]);
            sb.Append(')');
            return;
        }
        AppendUnit(sb, rune);
    }

    private static void AppendUnit(StringBuilder sb, int c)
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

    /// <summary>
    /// A set as code units: <c>[BMP ranges]</c> for the code points below U+10000 (surrogates excluded) and, for the
    /// others, <c>[high surrogates][low surrogates]</c> pairs, high surrogates with the same low ranges grouped.
    /// </summary>
    private static void WriteSet(StringBuilder sb, CodePointSet set)
    {
        var bmp = new StringBuilder();
        AppendBmpRanges(bmp, set);
        var astral = AstralAlternatives(set);
        if (astral.Count == 0)
        {
            // [^\u0000-\uFFFF] is .NET's empty class (RE2's [^\x00-\x{10FFFF}]).
            sb.Append(bmp.Length == 0 ? @"[^\u0000-\uFFFF]" : "[" + bmp + "]");
            return;
        }
        sb.Append("(?:");
        if (bmp.Length > 0)
        {
            sb.Append('[').Append(bmp).Append("]|");
        }
        sb.AppendJoin('|', astral);
        sb.Append(')');
    }

    private static void AppendBmpRanges(StringBuilder sb, CodePointSet set)
    {
        foreach (var (lo, hi) in set.Ranges)
        {
            AppendUnitRange(sb, lo, Math.Min(hi, 0xD7FF));
            AppendUnitRange(sb, Math.Max(lo, 0xE000), Math.Min(hi, 0xFFFF));
        }
    }

    private static void AppendUnitRange(StringBuilder sb, int lo, int hi)
    {
        if (lo > hi)
        {
            return;
        }
        AppendUnit(sb, lo);
        if (hi > lo)
        {
            sb.Append('-');
            AppendUnit(sb, hi);
        }
    }

    private static List<string> AstralAlternatives(CodePointSet set)
    {
        // High surrogate → the low surrogate ranges under it, as text ("\uDC00-\uDFFF…").
        var lowsByHigh = new SortedDictionary<int, StringBuilder>();
        foreach (var (lo, hi) in set.Ranges)
        {
            for (var start = Math.Max(lo, FirstAstral); start <= hi;)
            {
                var high = 0xD800 + ((start - FirstAstral) >> 10);
                var blockEnd = FirstAstral + ((high - 0xD800 + 1) << 10) - 1;
                var end = Math.Min(hi, blockEnd);
                if (!lowsByHigh.TryGetValue(high, out var lows))
                {
                    lowsByHigh[high] = lows = new StringBuilder();
                }
                AppendUnitRange(lows, 0xDC00 + ((start - FirstAstral) & 0x3FF), 0xDC00 + ((end - FirstAstral) & 0x3FF));
                start = end + 1;
            }
        }
        var alternatives = new List<string>();
        var pending = -1;
        var last = -1;
        string? pendingLows = null;
        foreach (var (high, lowsText) in lowsByHigh.Select(p => (p.Key, p.Value.ToString())).Append((-1, "")))
        {
            if (pendingLows is not null && (high != last + 1 || lowsText != pendingLows))
            {
                var highs = new StringBuilder();
                AppendUnitRange(highs, pending, last);
                alternatives.Add("[" + highs + "][" + pendingLows + "]");
                pendingLows = null;
            }
            if (high < 0)
            {
                break;
            }
            if (pendingLows is null)
            {
                pending = high;
                pendingLows = lowsText;
            }
            last = high;
        }
        return alternatives;
    }
}
