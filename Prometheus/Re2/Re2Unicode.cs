using System.Globalization;
using System.Text;

namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// The Unicode data RE2 classes need, taken from .NET's tables (built once, on first use): general categories as
/// code point sets (Go's <c>unicode.Categories</c>: <c>C</c> is Cc|Cf|Co|Cs, without unassigned code points) and
/// simple case folding orbits (Go's <c>unicode.SimpleFold</c>), which RE2 applies to whole code points, astral ones
/// included, where .NET's <c>(?i)</c> folds UTF-16 code units with its own equivalence table.
/// .NET's Unicode version is newer than Go 1.19's (Unicode 13): code points assigned since then differ.
/// </summary>
internal static class Re2Unicode
{
    // The highest code point with a case mapping (Adlam, U+1E943) is in plane 1.
    private const int MaxCased = 0x1FFFF;

    private static readonly Lazy<Dictionary<string, CodePointSet>> CategorySets = new(BuildCategories);
    private static readonly Lazy<(int[] Runes, Dictionary<int, int[]> Orbits)> CaseOrbits = new(BuildOrbits);

    /// <summary>The set of a Go general category name (<c>L</c>, <c>Lu</c>, …).</summary>
    public static CodePointSet Category(string name) =>
        CategorySets.Value.TryGetValue(name, out var set)
            ? set
            : throw new ArgumentOutOfRangeException(nameof(name), name, "not a Unicode general category");

    /// <summary>The code points <paramref name="rune"/> matches case-insensitively, itself included.</summary>
    public static IReadOnlyList<int> Orbit(int rune) =>
        CaseOrbits.Value.Orbits.TryGetValue(rune, out var orbit) ? orbit : [rune];

    /// <summary><paramref name="set"/> plus every code point case-equivalent to one of its members.</summary>
    public static CodePointSet Fold(CodePointSet set)
    {
        var (runes, orbits) = CaseOrbits.Value;
        var builder = new CodePointSet.Builder().Add(set);
        var added = false;
        foreach (var (lo, hi) in set.Ranges)
        {
            // Only the cased code points inside the range (a pattern may hold thousands of small classes).
            var i = Array.BinarySearch(runes, lo);
            for (i = i < 0 ? ~i : i; i < runes.Length && runes[i] <= hi; i++)
            {
                foreach (var other in orbits[runes[i]])
                {
                    builder.Add(other, other);
                }
                added = true;
            }
        }
        return added ? builder.ToSet() : set;
    }

    private static Dictionary<string, CodePointSet> BuildCategories()
    {
        var builders = new Dictionary<UnicodeCategory, CodePointSet.Builder>();
        var runStart = 0;
        var runCategory = CharUnicodeInfo.GetUnicodeCategory(0);
        for (var cp = 1; cp <= CodePointSet.MaxRune + 1; cp++)
        {
            var category = cp <= CodePointSet.MaxRune ? CharUnicodeInfo.GetUnicodeCategory(cp) : (UnicodeCategory)(-1);
            if (category == runCategory)
            {
                continue;
            }
            if (!builders.TryGetValue(runCategory, out var builder))
            {
                builders[runCategory] = builder = new CodePointSet.Builder();
            }
            builder.Add(runStart, cp - 1);
            runStart = cp;
            runCategory = category;
        }

        var sets = new Dictionary<string, CodePointSet>(StringComparer.Ordinal);
        foreach (var (category, builder) in builders)
        {
            if (GoName(category) is { } name)
            {
                sets[name] = builder.ToSet();
            }
        }
        foreach (var major in new[] { "C", "L", "M", "N", "P", "S", "Z" })
        {
            var union = new CodePointSet.Builder();
            foreach (var (name, set) in sets.Where(p => p.Key.Length == 2 && p.Key[0] == major[0]).ToList())
            {
                union.Add(set);
            }
            sets[major] = union.ToSet();
        }
        return sets;
    }

    private static string? GoName(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => "Lu",
        UnicodeCategory.LowercaseLetter => "Ll",
        UnicodeCategory.TitlecaseLetter => "Lt",
        UnicodeCategory.ModifierLetter => "Lm",
        UnicodeCategory.OtherLetter => "Lo",
        UnicodeCategory.NonSpacingMark => "Mn",
        UnicodeCategory.SpacingCombiningMark => "Mc",
        UnicodeCategory.EnclosingMark => "Me",
        UnicodeCategory.DecimalDigitNumber => "Nd",
        UnicodeCategory.LetterNumber => "Nl",
        UnicodeCategory.OtherNumber => "No",
        UnicodeCategory.SpaceSeparator => "Zs",
        UnicodeCategory.LineSeparator => "Zl",
        UnicodeCategory.ParagraphSeparator => "Zp",
        UnicodeCategory.Control => "Cc",
        UnicodeCategory.Format => "Cf",
        UnicodeCategory.Surrogate => "Cs",
        UnicodeCategory.PrivateUse => "Co",
        UnicodeCategory.ConnectorPunctuation => "Pc",
        UnicodeCategory.DashPunctuation => "Pd",
        UnicodeCategory.OpenPunctuation => "Ps",
        UnicodeCategory.ClosePunctuation => "Pe",
        UnicodeCategory.InitialQuotePunctuation => "Pi",
        UnicodeCategory.FinalQuotePunctuation => "Pf",
        UnicodeCategory.OtherPunctuation => "Po",
        UnicodeCategory.MathSymbol => "Sm",
        UnicodeCategory.CurrencySymbol => "Sc",
        UnicodeCategory.ModifierSymbol => "Sk",
        UnicodeCategory.OtherSymbol => "So",
        _ => null, // OtherNotAssigned (Cn) is no Go category
    };

    /// <summary>
    /// Go's orbits of more than two code points (<c>unicode.caseOrbit</c>, Unicode 13). .NET's casing leaves some of
    /// these links out (with invariant globalization, U+017F long s does not upper-case to S), so they are added.
    /// </summary>
    private static readonly int[][] GoOrbits =
    [
        [0x4B, 0x6B, 0x212A], [0x53, 0x73, 0x17F], [0xB5, 0x39C, 0x3BC], [0xC5, 0xE5, 0x212B], [0xDF, 0x1E9E],
        [0x1C4, 0x1C5, 0x1C6], [0x1C7, 0x1C8, 0x1C9], [0x1CA, 0x1CB, 0x1CC], [0x1F1, 0x1F2, 0x1F3],
        [0x345, 0x399, 0x3B9, 0x1FBE], [0x392, 0x3B2, 0x3D0], [0x395, 0x3B5, 0x3F5], [0x398, 0x3B8, 0x3D1, 0x3F4],
        [0x39A, 0x3BA, 0x3F0], [0x3A0, 0x3C0, 0x3D6], [0x3A1, 0x3C1, 0x3F1], [0x3A3, 0x3C2, 0x3C3],
        [0x3A6, 0x3C6, 0x3D5], [0x3A9, 0x3C9, 0x2126], [0x412, 0x432, 0x1C80], [0x414, 0x434, 0x1C81],
        [0x41E, 0x43E, 0x1C82], [0x421, 0x441, 0x1C83], [0x422, 0x442, 0x1C84, 0x1C85], [0x42A, 0x44A, 0x1C86],
        [0x462, 0x463, 0x1C87], [0x1E60, 0x1E61, 0x1E9B], [0xA64A, 0xA64B, 0x1C88],
    ];

    /// <summary>
    /// Orbits as the closure of the simple upper- and lower-case mappings plus <see cref="GoOrbits"/>. Go folds the
    /// Turkish dotted and dotless i (U+0130, U+0131) only to themselves, so they are left out of the closure.
    /// </summary>
    private static (int[], Dictionary<int, int[]>) BuildOrbits()
    {
        var parent = new Dictionary<int, int>();
        int Find(int x)
        {
            while (parent.TryGetValue(x, out var p) && p != x)
            {
                x = p;
            }
            return x;
        }
        void Union(int a, int b)
        {
            var (ra, rb) = (Find(a), Find(b));
            parent.TryAdd(a, a);
            parent.TryAdd(b, b);
            if (ra != rb)
            {
                parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
            }
        }
        for (var cp = 0; cp <= MaxCased; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF or 0x130 or 0x131)
            {
                continue;
            }
            var rune = new Rune(cp);
            foreach (var mapped in new[] { Rune.ToUpperInvariant(rune).Value, Rune.ToLowerInvariant(rune).Value })
            {
                if (mapped != cp && mapped is not (0x130 or 0x131))
                {
                    Union(cp, mapped);
                }
            }
        }
        foreach (var orbit in GoOrbits)
        {
            foreach (var rune in orbit.Skip(1))
            {
                Union(orbit[0], rune);
            }
        }
        var orbits = parent.Keys.GroupBy(Find).Select(g => g.Order().ToArray()).ToList();
        var byRune = new Dictionary<int, int[]>();
        foreach (var orbit in orbits)
        {
            foreach (var rune in orbit)
            {
                byRune[rune] = orbit;
            }
        }
        return ([.. byRune.Keys.Order()], byRune);
    }
}
