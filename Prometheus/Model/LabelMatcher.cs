using OrleansExemplars.Prometheus.Re2;

namespace OrleansExemplars.Prometheus.Model;

public enum LabelMatchType
{
    Equal,
    NotEqual,
    RegexMatch,
    RegexNoMatch,
}

/// <summary>
/// A label matcher as Prometheus' <c>labels.Matcher</c>. Regexes are fully anchored (<c>^(?:re)$</c> in RE2 terms) and
/// an absent label matches as the empty string.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class LabelMatcher
{
    [NonSerialized] private Re2Matcher? _regex;

    public LabelMatcher(LabelMatchType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        if (type is LabelMatchType.RegexMatch or LabelMatchType.RegexNoMatch)
        {
            _regex = CompileAnchored(value);
        }
    }

    [Id(0)] public LabelMatchType Type { get; }
    [Id(1)] public string Name { get; }
    [Id(2)] public string Value { get; }

    public static LabelMatcher Equal(string name, string value) => new(LabelMatchType.Equal, name, value);

    public bool Matches(string value) => Type switch
    {
        LabelMatchType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        LabelMatchType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        LabelMatchType.RegexMatch => MatchesRegex(value),
        LabelMatchType.RegexNoMatch => !MatchesRegex(value),
        _ => throw new InvalidOperationException($"unknown match type {Type}"),
    };

    /// <summary>
    /// <c>=~".+"</c> and <c>=~".*"</c> (Grafana's "any value", the everything query) are answered without running the
    /// regex for values without a line break: each was most of the cost of matching a series (profiled).
    /// A value with '\n' still goes to the regex, whatever '.' means there.
    /// </summary>
    private bool MatchesRegex(string value)
    {
        switch (Value)
        {
            case ".*" when !value.Contains('\n'):
                return true;
            case ".+" when !value.Contains('\n'):
                return value.Length > 0;
            default:
                return Regex.IsMatch(value);
        }
    }

    /// <summary>True when this matcher matches the empty string, i.e. also matches series without the label.</summary>
    public bool MatchesEmpty => Matches("");

    // A deserialized matcher (in a metric grain) has no compiled regex yet: it comes from the process' cache.
    private Re2Matcher Regex => _regex ??= CompileAnchored(Value);

    /// <summary>
    /// Compiles <paramref name="pattern"/> as Prometheus does, <c>^(?:pattern)$</c> with Go's RE2 syntax and semantics
    /// (code points, ASCII <c>\d \w \s \b</c>, <c>$</c> only at the very end), matched in linear time.
    /// Throws <see cref="ArgumentException"/> with Go's message for a pattern RE2 rejects, and
    /// <see cref="Re2UnsupportedException"/> for one this server cannot run (<c>\p{Greek}</c>).
    /// </summary>
    public static Re2Matcher CompileAnchored(string pattern) => Re2Syntax.CompileAnchored(pattern);

    public override string ToString()
    {
        var op = Type switch
        {
            LabelMatchType.Equal => "=",
            LabelMatchType.NotEqual => "!=",
            LabelMatchType.RegexMatch => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
    }
}
