using System.Text;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>The kind of an OTLP metric, as far as its Prometheus name depends on it.</summary>
public enum OtlpMetricKind
{
    Unknown,
    Gauge,
    MonotonicCounter,
    NonMonotonicCounter,
    Histogram,
    ExponentialHistogram,
    Summary,
}

/// <summary>
/// Prometheus' translation of OTLP metric and attribute names to Prometheus names, as
/// <c>github.com/prometheus/otlptranslator</c> 1.0 (used by Prometheus 3's OTLP receiver) does it. Under its
/// underscore-escaping strategies names become legacy ones: characters outside <c>[a-zA-Z0-9:]</c> (metric names) or
/// <c>[a-zA-Z0-9_]</c> (label names) become <c>_</c>, and with suffixes the unit (<c>s</c> → <c>_seconds</c>,
/// <c>By/s</c> → <c>_bytes_per_second</c>) and the type (<c>_total</c> for monotonic sums, <c>_ratio</c> for gauges of
/// unit <c>1</c>) are appended. Under the UTF-8 ones (<see cref="BuildUtf8MetricName"/>,
/// <see cref="TryBuildUtf8LabelName"/>) names are kept as sent, the same suffixes appended when asked for.
/// </summary>
public static class OtlpNames
{
    /// <summary>OTLP (UCUM) units and the Prometheus unit words they become.</summary>
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds", ["ms"] = "milliseconds",
        ["us"] = "microseconds", ["ns"] = "nanoseconds",
        ["By"] = "bytes", ["KiBy"] = "kibibytes", ["MiBy"] = "mebibytes", ["GiBy"] = "gibibytes", ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes", ["MBy"] = "megabytes", ["GBy"] = "gigabytes", ["TBy"] = "terabytes",
        ["m"] = "meters", ["V"] = "volts", ["A"] = "amperes", ["J"] = "joules", ["W"] = "watts", ["g"] = "grams",
        ["Cel"] = "celsius", ["Hz"] = "hertz", ["1"] = "", ["%"] = "percent",
    };

    /// <summary>The "per" part of a unit (<c>By/s</c>): singular words.</summary>
    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second", ["m"] = "minute", ["h"] = "hour", ["d"] = "day", ["w"] = "week", ["mo"] = "month", ["y"] = "year",
    };

    /// <summary>
    /// The Prometheus metric name of an OTLP metric; false with the reason when the translation leaves nothing usable
    /// (an empty name, or one made of underscores only).
    /// </summary>
    public static bool TryBuildMetricName(string name, string unit, OtlpMetricKind kind, bool withSuffixes,
        out string metricName, out string error)
    {
        metricName = withSuffixes ? NormalizeWithSuffixes(name, unit, kind) : NormalizeWithoutSuffixes(name);
        error = "";
        if (metricName.Length == 0)
        {
            error = $"normalization for metric \"{name}\" resulted in empty name";
            return false;
        }
        if (metricName != name && UnderscoresOnly(metricName))
        {
            error = $"normalization for metric \"{name}\" resulted in invalid name \"{metricName}\"";
            metricName = "";
            return false;
        }
        return true;
    }

    /// <summary>
    /// otlptranslator's <c>MetricNamer.Build</c> with <c>UTF8Allowed</c> (strategies <c>NoUTF8EscapingWithSuffixes</c>
    /// and <c>NoTranslation</c>): the name as sent; with suffixes, the unit's words (unmapped units as they are, not
    /// escaped) and <c>_total</c> or <c>_ratio</c> are appended unless the name ends with them already
    /// (<c>http.server.request.duration</c> of unit <c>s</c> → <c>http.server.request.duration_seconds</c>).
    /// </summary>
    public static string BuildUtf8MetricName(string name, string unit, OtlpMetricKind kind, bool withSuffixes)
    {
        if (!withSuffixes) return name;
        var (main, per) = UnitSuffixes(unit);
        // The suffixes go on outermost last: the unit, "per" unit, then _total or _ratio; each one already there is
        // taken off first (with the character before it) so that it is not doubled.
        var typeSuffix = "";
        if (unit == "1" && kind == OtlpMetricKind.Gauge)
        {
            name = TrimSuffixAndDelimiter(name, "ratio");
            typeSuffix = "_ratio";
        }
        if (kind == OtlpMetricKind.MonotonicCounter)
        {
            name = TrimSuffixAndDelimiter(name, "total");
            typeSuffix = "_total";
        }
        var perSuffix = "";
        if (per.Length > 0)
        {
            name = TrimSuffixAndDelimiter(name, per);
            perSuffix = "_" + per;
        }
        if (main.Length > 0 && !name.EndsWith(main, StringComparison.Ordinal)) name = name + "_" + main;
        return name + perSuffix + typeSuffix;
    }

    /// <summary>otlptranslator's <c>trimSuffixAndDelimiter</c>: the suffix and one character before it, if there is more.</summary>
    private static string TrimSuffixAndDelimiter(string name, string suffix) =>
        name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length + 1
            ? name[..^(suffix.Length + 1)]
            : name;

    /// <summary>
    /// otlptranslator's <c>LabelNamer.Build</c> with <c>UTF8Allowed</c>: the key as it is, unless empty or made of
    /// underscores only. Prometheus applies it to promoted resource and scope attributes; a point's own attribute
    /// keys it takes as they are.
    /// </summary>
    public static bool TryBuildUtf8LabelName(string key, out string labelName, out string error)
    {
        labelName = "";
        if (key.Length == 0)
        {
            error = "label name is empty";
            return false;
        }
        if (UnderscoresOnly(key))
        {
            error = $"label name \"{key}\" contains only underscores";
            return false;
        }
        labelName = key;
        error = "";
        return true;
    }

    /// <summary>
    /// The Prometheus label name of an OTLP attribute key. <paramref name="underscoreSanitization"/> prefixes
    /// <c>key</c> to a name starting with a single <c>_</c>; <paramref name="preserveMultipleUnderscores"/> keeps runs of
    /// <c>_</c> instead of collapsing them (Prometheus' defaults are both true).
    /// </summary>
    public static bool TryBuildLabelName(string key, bool underscoreSanitization, bool preserveMultipleUnderscores,
        out string labelName, out string error)
    {
        labelName = "";
        if (key.Length == 0)
        {
            error = "label name is empty";
            return false;
        }
        var normalized = SanitizeLabelName(key, preserveMultipleUnderscores);
        if (normalized[0] is >= '0' and <= '9')
        {
            normalized = "key_" + normalized;
        }
        else if (underscoreSanitization && normalized.StartsWith('_') && !normalized.StartsWith("__", StringComparison.Ordinal))
        {
            normalized = "key" + normalized;
        }
        if (UnderscoresOnly(normalized))
        {
            error = $"normalization for label name \"{key}\" resulted in invalid name \"{normalized}\"";
            return false;
        }
        labelName = normalized;
        error = "";
        return true;
    }

    /// <summary>The unit as Prometheus' metadata spells it (<c>s</c> → <c>seconds</c>, <c>By/s</c> → <c>bytes_per_second</c>).</summary>
    public static string BuildUnit(string unit)
    {
        var (main, per) = UnitSuffixes(unit);
        main = CleanUpUnit(main);
        per = CleanUpUnit(per);
        var u = main.Length > 0 && per.Length > 0 ? main + "_" + per : main.Length > 0 ? main : per;
        if (u.StartsWith('_')) u = u[1..];
        if (u.EndsWith('_')) u = u[..^1];
        return u;
    }

    private static string NormalizeWithSuffixes(string name, string unit, OtlpMetricKind kind)
    {
        // Splitting on every character outside [a-zA-Z0-9:] also collapses runs of underscores (the OTel spec's rule).
        var tokens = Split(name, r => !IsMetricChar(r));
        var (main, per) = UnitSuffixes(unit);
        AddUnitTokens(tokens, CleanUpUnit(main), CleanUpUnit(per));
        if (kind == OtlpMetricKind.MonotonicCounter)
        {
            tokens.RemoveAll(t => t == "total");
            tokens.Add("total");
        }
        if (unit == "1" && kind == OtlpMetricKind.Gauge)
        {
            tokens.RemoveAll(t => t == "ratio");
            tokens.Add("ratio");
        }
        var normalized = string.Join('_', tokens);
        return normalized.Length > 0 && normalized[0] is >= '0' and <= '9' ? "_" + normalized : normalized;
    }

    private static string NormalizeWithoutSuffixes(string name)
    {
        var normalized = string.Join('_', Split(name, r => !IsMetricChar(r) && r.Value != '_'));
        return normalized.Length > 0 && normalized[0] is >= '0' and <= '9' ? "_" + normalized : normalized;
    }

    private static void AddUnitTokens(List<string> tokens, string main, string per)
    {
        if (tokens.Contains(main)) main = "";
        if (per == "per_")
        {
            per = "";
        }
        else
        {
            if (per.EndsWith('_')) per = per[..^1];
            if (tokens.Contains(per)) per = "";
        }
        if (per.Length > 0 && main.EndsWith('_')) main = main[..^1];
        if (main.Length > 0) tokens.Add(main);
        if (per.Length > 0) tokens.Add(per);
    }

    /// <summary>The unit's main and "per" suffixes, mapped but not yet cleaned; a part with <c>{…}</c> (an annotation) adds nothing.</summary>
    private static (string Main, string Per) UnitSuffixes(string unit)
    {
        var slash = unit.IndexOf('/');
        var mainPart = (slash < 0 ? unit : unit[..slash]).Trim();
        var main = "";
        if (mainPart.Length > 0 && mainPart.IndexOfAny(['{', '}']) < 0)
        {
            main = Units.GetValueOrDefault(mainPart, mainPart);
        }
        var per = "";
        if (slash >= 0 && slash + 1 < unit.Length)
        {
            var perPart = unit[(slash + 1)..].Trim();
            if (perPart.Length > 0 && perPart.IndexOfAny(['{', '}']) < 0)
            {
                per = PerUnits.GetValueOrDefault(perPart, perPart);
            }
            if (per.Length > 0) per = "per_" + per;
        }
        return (main, per);
    }

    /// <summary>Characters outside <c>[a-zA-Z0-9:]</c> become <c>_</c>, runs of <c>_</c> one, and a leading <c>_</c> goes.</summary>
    private static string CleanUpUnit(string unit)
    {
        var sb = new StringBuilder(unit.Length);
        var previousUnderscore = false;
        foreach (var r in unit.EnumerateRunes())
        {
            var c = IsMetricChar(r) ? (char)r.Value : '_';
            if (c == '_')
            {
                if (previousUnderscore) continue;
                previousUnderscore = true;
            }
            else
            {
                previousUnderscore = false;
            }
            sb.Append(c);
        }
        return sb.Length > 0 && sb[0] == '_' ? sb.ToString(1, sb.Length - 1) : sb.ToString();
    }

    private static string SanitizeLabelName(string name, bool preserveMultipleUnderscores)
    {
        var sb = new StringBuilder(name.Length + 4);
        if (preserveMultipleUnderscores)
        {
            foreach (var r in name.EnumerateRunes()) sb.Append(IsLabelChar(r) ? (char)r.Value : '_');
            return sb.ToString();
        }
        // A reserved name (__x__) keeps its double underscores around the collapsed inside.
        var reserved = name.Length >= 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal);
        var inner = reserved ? name[2..^2] : name;
        var previousUnderscore = false;
        foreach (var r in inner.EnumerateRunes())
        {
            if (IsLabelChar(r))
            {
                sb.Append((char)r.Value);
                previousUnderscore = false;
            }
            else if (!previousUnderscore)
            {
                sb.Append('_');
                previousUnderscore = true;
            }
        }
        return reserved ? "__" + sb + "__" : sb.ToString();
    }

    /// <summary>Go's <c>strings.FieldsFunc</c>: the non-empty runs of runes between separators.</summary>
    private static List<string> Split(string s, Func<Rune, bool> isSeparator)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var r in s.EnumerateRunes())
        {
            if (isSeparator(r))
            {
                if (current.Length > 0) tokens.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(r.ToString());
            }
        }
        if (current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }

    private static bool IsMetricChar(Rune r) => r.Value is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ':';

    private static bool IsLabelChar(Rune r) => r.Value is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');

    private static bool UnderscoresOnly(string s)
    {
        foreach (var c in s)
        {
            if (c != '_') return false;
        }
        return true;
    }
}
