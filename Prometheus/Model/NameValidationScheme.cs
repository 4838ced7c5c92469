namespace OrleansExemplars.Prometheus.Model;

/// <summary>
/// Which metric and label names are valid, as Prometheus' <c>model.ValidationScheme</c>: <see cref="Utf8"/> (any
/// non-empty valid UTF-8, Prometheus 3's default) or <see cref="Legacy"/> (the character sets of Prometheus 2:
/// metric names <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, label names <c>[a-zA-Z_][a-zA-Z0-9_]*</c>).
/// </summary>
public enum NameValidationScheme
{
    /// <summary>Any non-empty name that is valid UTF-8 (Prometheus 3).</summary>
    Utf8,

    /// <summary>Prometheus 2's character sets only.</summary>
    Legacy,
}

/// <summary>Prometheus' legacy name rules (<c>model.IsValidLegacyMetricName</c>, <c>LabelName.IsValidLegacy</c>).</summary>
public static class LegacyNames
{
    /// <summary>The pattern of a legacy metric name, for messages.</summary>
    public const string MetricNamePattern = "[a-zA-Z_:][a-zA-Z0-9_:]*";

    /// <summary>The pattern of a legacy label name, for messages.</summary>
    public const string LabelNamePattern = "[a-zA-Z_][a-zA-Z0-9_]*";

    /// <summary>Whether <paramref name="name"/> matches <see cref="MetricNamePattern"/>.</summary>
    public static bool IsValidMetricName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty) return false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(IsLetterOrUnderscore(c) || c == ':' || (i > 0 && char.IsAsciiDigit(c)))) return false;
        }
        return true;
    }

    /// <summary>Whether <paramref name="name"/> matches <see cref="LabelNamePattern"/>.</summary>
    public static bool IsValidLabelName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty) return false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(IsLetterOrUnderscore(c) || (i > 0 && char.IsAsciiDigit(c)))) return false;
        }
        return true;
    }

    private static bool IsLetterOrUnderscore(char c) => char.IsAsciiLetter(c) || c == '_';
}
