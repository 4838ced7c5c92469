using System.Globalization;
using System.Text;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// Reproduces the few Go formatting verbs Prometheus uses in parse error messages (<c>%q</c> for strings and runes,
/// <c>%#U</c>, <c>%f</c>), so that error texts match byte for byte.
/// </summary>
internal static class GoFormat
{
    /// <summary>Go's <c>strconv.Quote</c> / <c>%q</c> of a string.</summary>
    public static string Quote(string s) => Quote(s, int.MaxValue);

    /// <summary>Go's <c>%.Nq</c>: the string truncated to <paramref name="maxRunes"/> runes, then quoted.</summary>
    public static string Quote(string s, int maxRunes)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        var n = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (n++ == maxRunes)
            {
                break;
            }
            AppendEscaped(sb, rune.Value, '"');
        }
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>Go's <c>strconv.QuoteRune</c> / <c>%q</c> of a rune; invalid runes (e.g. EOF = -1) become U+FFFD.</summary>
    public static string QuoteRune(int r)
    {
        if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000))
        {
            r = 0xFFFD;
        }
        var sb = new StringBuilder(6);
        sb.Append('\'');
        AppendEscaped(sb, r, '\'');
        sb.Append('\'');
        return sb.ToString();
    }

    /// <summary>Go's <c>%#U</c>: <c>U+0063 'c'</c>, or just <c>U+0001</c> when the rune is not printable.</summary>
    public static string UnicodeWithChar(int r)
    {
        var hex = r < 0 ? unchecked((ulong)(long)r).ToString("X", CultureInfo.InvariantCulture)
            : r.ToString("X4", CultureInfo.InvariantCulture);
        return IsPrint(r) ? $"U+{hex} '{char.ConvertFromUtf32(r)}'" : $"U+{hex}";
    }

    /// <summary>Go's <c>%f</c> of a float64 (six decimals, <c>+Inf</c>/<c>-Inf</c>/<c>NaN</c>).</summary>
    public static string FormatF(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(d))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(d))
        {
            return "-Inf";
        }
        return d.ToString("F6", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's <c>unicode.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(int r)
    {
        if (r == ' ')
        {
            return true;
        }
        if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000))
        {
            return false;
        }
        var cat = CharUnicodeInfo.GetUnicodeCategory(r);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate => false,
            UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    private static void AppendEscaped(StringBuilder sb, int r, char quote)
    {
        if (r == quote || r == '\\')
        {
            sb.Append('\\').Append((char)r);
            return;
        }
        if (IsPrint(r))
        {
            sb.Append(char.ConvertFromUtf32(r));
            return;
        }
        switch (r)
        {
            case 7: sb.Append("\\a"); return;
            case 8: sb.Append("\\b"); return;
            case 12: sb.Append("\\f"); return;
            case 10: sb.Append("\\n"); return;
            case 13: sb.Append("\\r"); return;
            case 9: sb.Append("\\t"); return;
            case 11: sb.Append("\\v"); return;
        }
        if (r < ' ' || r == 0x7f)
        {
            sb.Append("\\x").Append(r.ToString("x2", CultureInfo.InvariantCulture));
        }
        else if (r < 0x10000)
        {
            sb.Append("\\u").Append(r.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("\\U").Append(r.ToString("x8", CultureInfo.InvariantCulture));
        }
    }
}
