namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// Patterns that are plain strings joined by <c>.*</c> or <c>.+</c> — <c>.*foo.*</c>, <c>api-.+</c>, <c>.*-prod</c>,
/// <c>GET .*/users/.*</c>, the most common dashboard regexes — matched with ordinal string searches instead of an
/// automaton (as Prometheus' <c>FastRegexMatcher</c> does with prefixes, suffixes and substrings): the value must
/// start with the first string, end with the last, and hold the others in order between, leftmost placement being
/// the one that leaves the most room. A gap's <c>.</c> excludes <c>\n</c> (without <c>(?s)</c>): values with a line
/// break are left to the caller's automaton. Strings start and end on whole code points, so every position found
/// is between code points and a one-unit gap is at least one code point.
/// </summary>
internal sealed class Re2Substrings
{
    private readonly string[] _strings; // k + 1 strings around k gaps
    private readonly int[] _minGaps;    // 0 for .*, 1 for .+
    private readonly int _minLength;

    private Re2Substrings(string[] strings, int[] minGaps, bool newlineInGaps)
    {
        _strings = strings;
        _minGaps = minGaps;
        NewlineInGaps = newlineInGaps;
        _minLength = strings.Sum(s => s.Length) + minGaps.Sum();
    }

    /// <summary>Whether the gaps are <c>(?s)</c> ones, which take line breaks too.</summary>
    public bool NewlineInGaps { get; }

    /// <summary>The pattern as strings and gaps, or null when it has any other shape (or no gap at all).</summary>
    public static Re2Substrings? TryCreate(Re2Node node)
    {
        var items = new List<Re2Node>();
        Flatten(node, items);
        var strings = new List<string>();
        var gaps = new List<int>();
        var current = new System.Text.StringBuilder();
        bool? dotNewline = null;
        var lastWasGap = false;
        foreach (var item in items)
        {
            if (TryGetRune(item) is { } rune)
            {
                current.Append(char.ConvertFromUtf32(rune));
                lastWasGap = false;
                continue;
            }
            if (item is not Re2Repeat { Max: -1, Min: <= 1, Sub: Re2CharClass { UnsupportedScript: null, Set: var set } } gap ||
                lastWasGap)
            {
                return null; // not a string or a dot-star, or two gaps in a row (.+.+ would need counting)
            }
            var takesNewline = set.Contains('\n');
            if (!set.ContainsRange(0, '\n' - 1) || !set.ContainsRange('\n' + 1, CodePointSet.MaxRune) ||
                (dotNewline is { } other && other != takesNewline))
            {
                return null; // a narrower class than '.', or both kinds of gap
            }
            dotNewline = takesNewline;
            strings.Add(current.ToString());
            current.Clear();
            gaps.Add(gap.Min);
            lastWasGap = true;
        }
        if (gaps.Count == 0)
        {
            return null;
        }
        strings.Add(current.ToString());
        return new Re2Substrings([.. strings], [.. gaps], dotNewline == true);
    }

    /// <summary>
    /// Whether <paramref name="value"/> matches; only for values without <c>\n</c> unless
    /// <see cref="NewlineInGaps"/>.
    /// </summary>
    public bool IsMatch(string value)
    {
        if (value.Length < _minLength)
        {
            return false;
        }
        var first = _strings[0];
        var last = _strings[^1];
        if (!value.StartsWith(first, StringComparison.Ordinal) || !value.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }
        var pos = first.Length;
        var end = value.Length - last.Length;
        for (var i = 1; i < _strings.Length - 1; i++)
        {
            var from = pos + _minGaps[i - 1];
            if (from > end)
            {
                return false;
            }
            var found = value.IndexOf(_strings[i], from, end - from, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }
            pos = found + _strings[i].Length;
        }
        return end - pos >= _minGaps[^1];
    }

    /// <summary>
    /// The strings every match of <paramref name="node"/> starts and ends with (its leading and trailing exact code
    /// points): a value without them cannot match, which is checked before running an automaton, as Prometheus does.
    /// </summary>
    public static (string Prefix, string Suffix) RequiredAffixes(Re2Node node)
    {
        var items = new List<Re2Node>();
        Flatten(node, items);
        var prefix = new System.Text.StringBuilder();
        var first = 0;
        for (; first < items.Count && TryGetRune(items[first]) is { } rune; first++)
        {
            prefix.Append(char.ConvertFromUtf32(rune));
        }
        var suffix = new List<string>();
        for (var last = items.Count - 1; last >= first && TryGetRune(items[last]) is { } rune; last--)
        {
            suffix.Add(char.ConvertFromUtf32(rune));
        }
        suffix.Reverse();
        return (prefix.ToString(), string.Concat(suffix));
    }

    /// <summary>The items of a concatenation, groups dissolved (they only group).</summary>
    internal static void Flatten(Re2Node node, List<Re2Node> into)
    {
        switch (node)
        {
            case Re2Group g:
                Flatten(g.Sub, into);
                break;
            case Re2Concat c:
                foreach (var sub in c.Subs)
                {
                    Flatten(sub, into);
                }
                break;
            case Re2Repeat { Sub: Re2Group inner } r:
                Flatten(r with { Sub = Unwrap(inner) }, into);
                break;
            default:
                into.Add(node);
                break;
        }
    }

    private static Re2Node Unwrap(Re2Node node) => node is Re2Group g ? Unwrap(g.Sub) : node;

    /// <summary>The code point a node matches exactly (a literal, case-insensitive only if it has no other case).</summary>
    internal static int? TryGetRune(Re2Node node) => node switch
    {
        Re2Literal lit when !lit.FoldCase || Re2Unicode.Orbit(lit.Rune).Count == 1 => lit.Rune,
        Re2CharClass { UnsupportedScript: null, Set.SingleRune: >= 0 and (< 0xD800 or > 0xDFFF) } cls => cls.Set.SingleRune,
        _ => null,
    };
}
