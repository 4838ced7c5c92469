using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansExemplars.ApiHost.Query;

/// <summary>Prometheus' API time parameters (<c>web/api/v1 parseTime</c>): decimal Unix seconds or RFC 3339.</summary>
public static partial class PrometheusTime
{
    /// <summary>Prometheus' minTime/maxTime in milliseconds: the defaults of an absent start/end.</summary>
    public const long MinTimeMs = -9223309901257974000L;
    public const long MaxTimeMs = 9223309901257974999L;

    private const string MinTimeFormatted = "-292273086-05-16T16:47:06Z";
    private const string MaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

    /// <summary>Parses parameter <paramref name="name"/>; empty means <paramref name="defaultMs"/>.</summary>
    public static bool TryParseParam(string? value, string name, long defaultMs, out long ms, out string error)
    {
        error = "";
        if (string.IsNullOrEmpty(value))
        {
            ms = defaultMs;
            return true;
        }
        if (TryParse(value, out ms)) return true;
        error = $"invalid parameter \"{name}\": cannot parse \"{value}\" to a valid timestamp";
        return false;
    }

    public static bool TryParse(string value, out long ms)
    {
        ms = 0;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds)) return false;
            var whole = Math.Truncate(seconds);
            // Go rounds the fraction to milliseconds: math.Round(frac*1000)/1000.
            var fractionMs = Math.Round((seconds - whole) * 1000, MidpointRounding.AwayFromZero);
            if (Math.Abs(whole) > 9_223_372_036_854_775d / 1000) return false;
            ms = (long)whole * 1000 + (long)fractionMs;
            return true;
        }
        switch (value)
        {
            case MinTimeFormatted: ms = MinTimeMs; return true;
            case MaxTimeFormatted: ms = MaxTimeMs; return true;
        }
        if (Rfc3339().IsMatch(value) &&
            DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t))
        {
            ms = t.ToUnixTimeMilliseconds();
            return true;
        }
        return false;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
