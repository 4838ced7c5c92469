using System.Globalization;
using System.Text;

namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// Writes a parsed RE2 expression as an equivalent .NET pattern for <c>RegexOptions.NonBacktracking</c> (so no
/// lookarounds): RE2's <c>$</c> (end of text only), flag scoping, POSIX classes, <c>\Q..\E</c> etc. are spelled out
/// explicitly, and every class is written from its resolved code points, since .NET matches UTF-16 code units where
/// RE2 matches code points: a code point above U+FFFF becomes its surrogate pair (<c>.</c> never matches half of
/// one), case folding is already in the sets (no <c>(?i)</c>, whose table differs from Go's), and no <c>\p{..}</c>
/// is left for .NET to apply to code units. Word boundaries (<c>\b</c>, <c>\B</c>) have no such form (NonBacktracking
/// takes .NET's <c>\b</c>, but its word characters are Unicode ones, <c>é</c> included, where RE2's are ASCII, and
/// it refuses the lookarounds that would spell RE2's): they throw <see cref="NotSupportedException"/>, and the caller
/// runs those patterns on <see cref="Re2Nfa"/>, as it does those with an assertion inside a repetition.
/// Input strings are assumed well-formed UTF-16 (label values decoded from UTF-8 always are).
/// </summary>
internal sealed class Re2Emitter
{
    private const int FirstAstral = 0x10000;
    private static readonly CodePointSet Bmp = new CodePointSet.Builder().Add(0, 0xD7FF).Add(0xE000, 0xFFFF).ToSet();
    private static readonly CodePointSet Surrogates = new CodePointSet.Builder().Add(0xD800, 0xDFFF).ToSet();

    // Every set of code units the pattern tests a character against, for Minterms.
    private readonly List<CodePointSet> _unitSets = [];

    private Re2Emitter()
    {
    }

    public static string Emit(Re2Node node) => Translate(node).Pattern;

    /// <summary>
    /// The .NET pattern, its minterms (the classes of code units that no set of the pattern tells apart, which
    /// <c>NonBacktracking</c> builds its automaton over) and the most ranges one of its sets has (what makes
    /// <c>NonBacktracking</c>'s constructor slow: tens of milliseconds for <c>\p{Lu}</c>).
    /// </summary>
    public static (string Pattern, int Minterms, int LargestSet) Translate(Re2Node node)
    {
        var emitter = new Re2Emitter();
        var sb = new StringBuilder();
        emitter.Write(sb, node);
        var sets = emitter._unitSets;
        return (sb.ToString(), CountMinterms(sets), sets.Count == 0 ? 0 : sets.Max(s => s.RangeCount));
    }

    private void Write(StringBuilder sb, Re2Node node)
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

    private void WriteRepeat(StringBuilder sb, Re2Repeat r)
    {
        if (ContainsAssertion(r.Sub))
        {
            // NonBacktracking mishandles loops over anchors (`(?s)^*` inside a group failed to match "k" where the
            // NFA matched, found by Re2MatcherTests' random patterns): those run on the NFA.
            throw new NotSupportedException("an assertion inside a repetition");
        }
        if (r is { Max: -1, Min: <= 1, Sub: Re2CharClass { UnsupportedScript: null } cls } &&
            cls.Set.ContainsRange(FirstAstral, CodePointSet.MaxRune))
        {
            // `.*`, `[^a]+`: a run of code points that takes every astral one is the same run of code units with
            // surrogates allowed, which .NET matches much faster than an alternation: the run's ends sit between
            // code points, the atoms around it being whole code points, and where two such runs meet inside a
            // surrogate pair the pair could as well go to either. Not so for `+`'s one code point at least (two
            // runs would split one pair between them): `x+` is written `x` then the run, `x*`.
            if (r.Min == 1)
            {
                WriteSet(sb, cls.Set);
            }
            sb.Append('[');
            AppendBmpRanges(sb, cls.Set);
            sb.Append(@"\uD800-\uDFFF]*");
            _unitSets.Add(cls.Set.Intersect(Bmp).Union(Surrogates));
            if (!r.Greedy)
            {
                sb.Append('?');
            }
            return;
        }
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
    }

    private static bool ContainsAssertion(Re2Node node) => node switch
    {
        Re2Assertion => true,
        Re2Group g => ContainsAssertion(g.Sub),
        Re2Repeat r => ContainsAssertion(r.Sub),
        Re2Concat c => c.Subs.Any(ContainsAssertion),
        Re2Alternate a => a.Subs.Any(ContainsAssertion),
        _ => false,
    };

    private void AppendRune(StringBuilder sb, int rune)
    {
        if (rune >= FirstAstral)
        {
            var pair = char.ConvertFromUtf32(rune);
            sb.Append("(?:");
            AppendUnit(sb, pair[0]);
            AppendUnit(sb, pair[1]);
            sb.Append(')');
            AddUnitSet(pair[0], pair[0]);
            AddUnitSet(pair[1], pair[1]);
            return;
        }
        AppendUnit(sb, rune);
        AddUnitSet(rune, rune);
    }

    private void AddUnitSet(int lo, int hi) => _unitSets.Add(new CodePointSet.Builder().Add(lo, hi).ToSet());

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
    private void WriteSet(StringBuilder sb, CodePointSet set)
    {
        var bmp = new StringBuilder();
        AppendBmpRanges(bmp, set);
        _unitSets.Add(set.Intersect(Bmp));
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

    private List<string> AstralAlternatives(CodePointSet set)
    {
        // Runs of high surrogates sharing the same low surrogate ranges, built per range of the set (whole 1024-code
        // point blocks at once, so `.` costs three entries, not a thousand).
        var groups = new List<(int FirstHigh, int LastHigh, List<(int Lo, int Hi)> Lows)>();
        void Add(int firstHigh, int lastHigh, int lowLo, int lowHi)
        {
            if (groups.Count > 0 && groups[^1].FirstHigh == firstHigh && groups[^1].LastHigh == lastHigh)
            {
                groups[^1].Lows.Add((lowLo, lowHi));
            }
            else
            {
                groups.Add((firstHigh, lastHigh, [(lowLo, lowHi)]));
            }
        }
        foreach (var (lo, hi) in set.Ranges)
        {
            if (hi < FirstAstral)
            {
                continue;
            }
            var (startHigh, startLow) = Pair(Math.Max(lo, FirstAstral));
            var (endHigh, endLow) = Pair(hi);
            if (startHigh == endHigh)
            {
                Add(startHigh, startHigh, startLow, endLow);
                continue;
            }
            if (startLow != 0xDC00)
            {
                Add(startHigh, startHigh, startLow, 0xDFFF);
                startHigh++;
            }
            var lastFull = endLow == 0xDFFF ? endHigh : endHigh - 1;
            if (startHigh <= lastFull)
            {
                Add(startHigh, lastFull, 0xDC00, 0xDFFF);
            }
            if (endLow != 0xDFFF)
            {
                Add(endHigh, endHigh, 0xDC00, endLow);
            }
        }

        var merged = new List<(int FirstHigh, int LastHigh, List<(int Lo, int Hi)> Lows)>();
        foreach (var group in groups)
        {
            if (merged.Count > 0 && merged[^1].LastHigh + 1 == group.FirstHigh && merged[^1].Lows.SequenceEqual(group.Lows))
            {
                merged[^1] = merged[^1] with { LastHigh = group.LastHigh };
            }
            else
            {
                merged.Add(group);
            }
        }

        var alternatives = new List<string>(merged.Count);
        foreach (var (firstHigh, lastHigh, lows) in merged)
        {
            var text = new StringBuilder("[");
            AppendUnitRange(text, firstHigh, lastHigh);
            text.Append("][");
            var lowSet = new CodePointSet.Builder();
            foreach (var (lowLo, lowHi) in lows)
            {
                AppendUnitRange(text, lowLo, lowHi);
                lowSet.Add(lowLo, lowHi);
            }
            alternatives.Add(text.Append(']').ToString());
            AddUnitSet(firstHigh, lastHigh);
            _unitSets.Add(lowSet.ToSet());
        }
        return alternatives;
    }

    private static (int High, int Low) Pair(int rune) =>
        (0xD800 + ((rune - FirstAstral) >> 10), 0xDC00 + ((rune - FirstAstral) & 0x3FF));

    /// <summary>
    /// How many classes of code units <paramref name="sets"/> partition U+0000..U+FFFF into (line feed apart, as
    /// .NET's anchors need it): the number of distinct membership signatures over the elementary intervals.
    /// </summary>
    private static int CountMinterms(List<CodePointSet> sets)
    {
        var distinct = sets.Append(new CodePointSet.Builder().Add('\n', '\n').ToSet())
            .DistinctBy(s => s.ToString()).ToList();
        var boundaries = new SortedSet<int> { 0 };
        foreach (var set in distinct)
        {
            foreach (var (lo, hi) in set.Ranges)
            {
                if (lo <= 0xFFFF) boundaries.Add(lo);
                if (hi < 0xFFFF) boundaries.Add(hi + 1);
            }
        }
        var signatures = new HashSet<string>(StringComparer.Ordinal);
        var signature = new StringBuilder();
        foreach (var start in boundaries)
        {
            signature.Clear();
            for (var i = 0; i < distinct.Count; i++)
            {
                signature.Append(distinct[i].Contains(start) ? '1' : '0');
            }
            signatures.Add(signature.ToString());
        }
        return signatures.Count;
    }
}
