namespace OrleansExemplars.Tests.PromQL;

/// <summary>
/// Random RE2 patterns and label values over small alphabets that mix the hard cases: astral code points, line
/// breaks, the characters Go's case folding treats specially (K, Kelvin sign, long s), non-ASCII letters and digits,
/// anchors and word boundaries, flags, nested groups and repetitions. Deterministic for a given <see cref="Random"/>.
/// Some patterns are invalid RE2 (a repetition of a repetition, `a**`): callers validate.
/// </summary>
internal sealed class RandomRe2Patterns(Random random)
{
    private static readonly string[] Atoms =
    [
        "a", "b", "A", "é", "😀", "\\n", "1", " ", "K", "ſ", ".", "[a-c]", "[^a]", "[^😀a]", @"\d", @"\w", @"\W",
        @"\s", @"\pL", @"\PN", @"\p{Lu}", "[[:alpha:]]", "[😀-😂é]", @"\x{1F600}", "(?i:k)", "(?i:é)", "^", "$",
        @"\b", @"\B", @"\Qa.\E",
    ];

    /// <summary>What values are made of (the probe values of the differential tests use the same kinds).</summary>
    public static readonly string[] Alphabet =
        ["a", "b", "A", "é", "É", "😀", "😁", "\n", "1", "١", " ", "K", "k", "\u212A", "ſ", "s", "_", "."];

    public string Next() => Pattern(2);

    /// <summary>0 to 5 characters of <see cref="Alphabet"/>.</summary>
    public string Value() =>
        string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)]));

    private string Pattern(int depth)
    {
        var parts = new List<string>();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var part = depth > 0 && random.Next(4) == 0 ? "(" + Pattern(depth - 1) + ")" : Atoms[random.Next(Atoms.Length)];
            part += random.Next(6) switch { 0 => "*", 1 => "+", 2 => "?", 3 => "{1,2}", _ => "" };
            parts.Add(part);
        }
        var text = string.Concat(parts);
        return random.Next(5) switch
        {
            0 => text + "|" + Pattern(depth - 1),
            1 => "(?i)" + text,
            2 => "(?s)" + text,
            3 => "(?m)" + text,
            _ => text,
        };
    }
}
