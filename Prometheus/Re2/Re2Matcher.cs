using System.Text.RegularExpressions;

namespace OrleansExemplars.Prometheus.Re2;

/// <summary>How a <see cref="Re2Matcher"/> runs; <see cref="Auto"/> picks the first that can run the pattern.</summary>
public enum Re2Engine
{
    Auto,

    /// <summary>An alternation of plain strings (<c>a|b|c</c>, <c>api</c>): a set lookup.</summary>
    LiteralSet,

    /// <summary>Strings joined by <c>.*</c>/<c>.+</c> (<c>.*foo.*</c>, <c>api-.+</c>): string searches
    /// (<see cref="Re2Substrings"/>).</summary>
    Substrings,

    /// <summary>The pattern translated to .NET (<see cref="Re2Emitter"/>), run with
    /// <c>RegexOptions.NonBacktracking</c>.</summary>
    NonBacktracking,

    /// <summary><see cref="Re2Nfa"/>: word boundaries, large Unicode classes, and whatever <c>NonBacktracking</c>
    /// refuses.</summary>
    Nfa,
}

/// <summary>
/// A compiled label-matcher regex: Prometheus' <c>^(?:pattern)$</c> with Go RE2 syntax and semantics (code points,
/// ASCII <c>\d \w \s \b</c>, Go's case folding), matched in time linear in the length of the value whatever the
/// pattern — no engine here backtracks. Thread-safe; <see cref="Re2Syntax.CompileAnchored"/> caches them.
/// </summary>
public abstract class Re2Matcher
{
    private const int MaxLiterals = 256;

    /// <summary>
    /// .NET 10's NonBacktracking answers wrongly past about 255 minterms (<c>\PL</c> failed to match "\n": the
    /// sets of a large Unicode class and its astral surrogate pairs make hundreds), so such patterns take the NFA.
    /// </summary>
    private const int MaxMinterms = 200;

    /// <summary>
    /// Past this many ranges in one set (Unicode categories: <c>\p{Lu}</c> has hundreds) NonBacktracking's
    /// constructor takes tens of milliseconds, the NFA's microseconds; matching such patterns on the NFA stays
    /// cheap, their sets being few.
    /// </summary>
    private const int MaxRangesPerSet = 32;

    private Re2Matcher()
    {
    }

    public abstract Re2Engine Engine { get; }

    /// <summary>Whether the whole of <paramref name="value"/> matches.</summary>
    public abstract bool IsMatch(string value);

    /// <summary>
    /// Compiles <paramref name="pattern"/> (not cached). Throws <see cref="ArgumentException"/> with Go's message for
    /// a pattern RE2 rejects, <see cref="Re2UnsupportedException"/> for one it accepts but this server cannot run
    /// (Unicode script classes), and <see cref="NotSupportedException"/> when <paramref name="engine"/> is forced
    /// and cannot run the pattern.
    /// </summary>
    public static Re2Matcher Create(string pattern, Re2Engine engine = Re2Engine.Auto)
    {
        if (Re2Syntax.Validate(pattern) is { } error)
        {
            throw new ArgumentException(error, nameof(pattern));
        }
        var anchored = Re2Parser.Parse(Re2Syntax.Anchor(pattern));
        if (FindScript(anchored) is { } script)
        {
            throw new Re2UnsupportedException(
                $"unsupported regexp: Unicode script class \\p{{{script}}} is not available on this server; " +
                "write code point ranges instead, e.g. [\\x{370}-\\x{3FF}] for the Greek and Coptic block");
        }

        if (engine is Re2Engine.Auto or Re2Engine.LiteralSet)
        {
            var literals = new HashSet<string>(StringComparer.Ordinal);
            if (TryCollectLiterals(Unanchored(anchored), literals))
            {
                return new LiteralSetMatcher(literals);
            }
            if (engine == Re2Engine.LiteralSet)
            {
                throw new NotSupportedException($"`{pattern}` is not an alternation of strings");
            }
        }
        if (engine is Re2Engine.Auto or Re2Engine.Substrings)
        {
            if (Re2Substrings.TryCreate(Unanchored(anchored)) is { } substrings)
            {
                return new SubstringsMatcher(substrings, new Lazy<Re2Matcher>(() => Automaton(anchored, Re2Engine.Auto)));
            }
            if (engine == Re2Engine.Substrings)
            {
                throw new NotSupportedException($"`{pattern}` is not strings joined by .* or .+");
            }
        }
        return Automaton(anchored, engine);
    }

    /// <summary>NonBacktracking when it can run the pattern well, else the NFA; behind a prefix and suffix check
    /// when every match has one.</summary>
    private static Re2Matcher Automaton(Re2Node anchored, Re2Engine engine)
    {
        var automaton = AutomatonOnly(anchored, engine);
        var (prefix, suffix) = Re2Substrings.RequiredAffixes(Unanchored(anchored));
        return prefix.Length + suffix.Length > 0 ? new AffixCheckedMatcher(prefix, suffix, automaton) : automaton;
    }

    private static Re2Matcher AutomatonOnly(Re2Node anchored, Re2Engine engine)
    {
        if (engine is Re2Engine.Auto or Re2Engine.NonBacktracking)
        {
            try
            {
                var (translated, minterms, largestSet) = Re2Emitter.Translate(anchored);
                if (minterms > MaxMinterms || largestSet > MaxRangesPerSet)
                {
                    throw new NotSupportedException($"{minterms} minterms, a set of {largestSet} ranges");
                }
                var regex = new Regex(translated,
                    RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, Regex.InfiniteMatchTimeout);
                return new NonBacktrackingMatcher(regex);
            }
            catch (NotSupportedException) when (engine == Re2Engine.Auto)
            {
                // \b, \B, large Unicode classes, or a pattern NonBacktracking refuses: the NFA runs any of them.
            }
        }
        return new NfaMatcher(Re2Nfa.Compile(anchored));
    }

    /// <summary>The pattern inside Prometheus' anchoring <c>^(?:…)$</c>.</summary>
    private static Re2Node Unanchored(Re2Node anchored) =>
        anchored is Re2Concat { Subs: [Re2Assertion, Re2Group { Sub: var inner }, Re2Assertion] } ? inner : anchored;

    /// <summary>Adds the strings <paramref name="node"/> matches if it is a finite set of plain strings (at most
    /// <see cref="MaxLiterals"/>): literals, concatenations and alternations of them.</summary>
    private static bool TryCollectLiterals(Re2Node node, HashSet<string> into)
    {
        switch (node)
        {
            case Re2Group g:
                return TryCollectLiterals(g.Sub, into);
            case Re2Alternate alt:
                return alt.Subs.All(sub => TryCollectLiterals(sub, into)) && into.Count <= MaxLiterals;
            default:
                var text = new System.Text.StringBuilder();
                if (!TryAppendString(node, text))
                {
                    return false;
                }
                into.Add(text.ToString());
                return into.Count <= MaxLiterals;
        }
    }

    private static bool TryAppendString(Re2Node node, System.Text.StringBuilder text)
    {
        switch (node)
        {
            case Re2Literal lit when !lit.FoldCase || Re2Unicode.Orbit(lit.Rune).Count == 1:
                text.Append(char.ConvertFromUtf32(lit.Rune));
                return true;
            case Re2CharClass { UnsupportedScript: null, Set.SingleRune: var rune and >= 0 }
                when rune is < 0xD800 or > 0xDFFF:
                text.Append(char.ConvertFromUtf32(rune));
                return true;
            case Re2Group g:
                return TryAppendString(g.Sub, text);
            case Re2Concat c:
                return c.Subs.All(sub => TryAppendString(sub, text));
            default:
                return false;
        }
    }

    private static string? FindScript(Re2Node node) => node switch
    {
        Re2CharClass c => c.UnsupportedScript,
        Re2Group g => FindScript(g.Sub),
        Re2Repeat r => FindScript(r.Sub),
        Re2Concat c => c.Subs.Select(FindScript).FirstOrDefault(s => s is not null),
        Re2Alternate a => a.Subs.Select(FindScript).FirstOrDefault(s => s is not null),
        _ => null,
    };

    private sealed class LiteralSetMatcher(HashSet<string> values) : Re2Matcher
    {
        public override Re2Engine Engine => Re2Engine.LiteralSet;

        public override bool IsMatch(string value) => values.Contains(value);
    }

    private sealed class SubstringsMatcher(Re2Substrings substrings, Lazy<Re2Matcher> forLineBreaks) : Re2Matcher
    {
        public override Re2Engine Engine => Re2Engine.Substrings;

        // A '.' gap must not cover a line break; where the value has one, the automaton decides.
        public override bool IsMatch(string value) =>
            substrings.NewlineInGaps || !value.Contains('\n') ? substrings.IsMatch(value) : forLineBreaks.Value.IsMatch(value);
    }

    private sealed class AffixCheckedMatcher(string prefix, string suffix, Re2Matcher automaton) : Re2Matcher
    {
        public override Re2Engine Engine => automaton.Engine;

        public override bool IsMatch(string value) =>
            value.Length >= prefix.Length + suffix.Length &&
            value.StartsWith(prefix, StringComparison.Ordinal) && value.EndsWith(suffix, StringComparison.Ordinal) &&
            automaton.IsMatch(value);
    }

    private sealed class NonBacktrackingMatcher(Regex regex) : Re2Matcher
    {
        public override Re2Engine Engine => Re2Engine.NonBacktracking;

        public override bool IsMatch(string value) => regex.IsMatch(value);

        public override string ToString() => regex.ToString();
    }

    private sealed class NfaMatcher(Re2Nfa nfa) : Re2Matcher
    {
        public override Re2Engine Engine => Re2Engine.Nfa;

        public override bool IsMatch(string value) => nfa.IsMatch(value);
    }
}
