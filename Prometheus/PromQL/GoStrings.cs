using System.Globalization;
using System.Text;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>PromQL string literal decoding (Prometheus' <c>util/strutil.Unquote</c>, i.e. Go's rules).</summary>
public static class GoStrings
{
    /// <summary>
    /// <c>strutil.Unquote</c>: decodes a single-, double- or back-quoted PromQL string literal (Go escape rules,
    /// <c>\x</c> and octal escapes produce raw bytes). Invalid UTF-8 in the result is replaced by U+FFFD.
    /// </summary>
    public static bool TryUnquote(string s, out string value)
    {
        value = "";
        if (s.Length < 2 || s[0] != s[^1])
        {
            return false;
        }
        var quote = s[0];
        var body = s[1..^1];
        if (quote == '`')
        {
            if (body.Contains('`'))
            {
                return false;
            }
            value = body;
            return true;
        }
        if ((quote != '"' && quote != '\'') || body.Contains('\n'))
        {
            return false;
        }
        if (!body.Contains('\\') && !body.Contains(quote))
        {
            value = body;
            return true;
        }
        var bytes = new List<byte>(body.Length);
        for (var i = 0; i < body.Length;)
        {
            if (!TryUnquoteChar(body, ref i, quote, bytes))
            {
                return false;
            }
        }
        value = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }

    private static bool TryUnquoteChar(string s, ref int i, char quote, List<byte> output)
    {
        var c = s[i];
        if (c == quote)
        {
            return false;
        }
        if (c != '\\')
        {
            var rune = Rune.GetRuneAt(s, i);
            AppendRune(output, rune.Value);
            i += rune.Utf16SequenceLength;
            return true;
        }
        if (i + 1 >= s.Length)
        {
            return false;
        }
        var e = s[i + 1];
        i += 2;
        switch (e)
        {
            case 'a': output.Add(7); return true;
            case 'b': output.Add(8); return true;
            case 'f': output.Add(12); return true;
            case 'n': output.Add(10); return true;
            case 'r': output.Add(13); return true;
            case 't': output.Add(9); return true;
            case 'v': output.Add(11); return true;
            case '\\': output.Add((byte)'\\'); return true;
            case '\'' or '"':
                if (e != quote)
                {
                    return false;
                }
                output.Add((byte)e);
                return true;
            case 'x' or 'u' or 'U':
            {
                var n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (i + n > s.Length || !int.TryParse(s.AsSpan(i, n), NumberStyles.AllowHexSpecifier,
                        CultureInfo.InvariantCulture, out var v) || v < 0)
                {
                    return false;
                }
                i += n;
                if (e == 'x')
                {
                    output.Add((byte)v);
                    return true;
                }
                if (!Rune.IsValid(v))
                {
                    return false;
                }
                AppendRune(output, v);
                return true;
            }
            case >= '0' and <= '7':
            {
                if (i + 2 > s.Length)
                {
                    return false;
                }
                var v = e - '0';
                for (var k = 0; k < 2; k++)
                {
                    var d = s[i + k] - '0';
                    if (d is < 0 or > 7)
                    {
                        return false;
                    }
                    v = v * 8 + d;
                }
                if (v > 255)
                {
                    return false;
                }
                i += 2;
                output.Add((byte)v);
                return true;
            }
            default:
                return false;
        }
    }

    private static void AppendRune(List<byte> output, int value)
    {
        Span<byte> buf = stackalloc byte[4];
        var n = new Rune(value).EncodeToUtf8(buf);
        for (var k = 0; k < n; k++)
        {
            output.Add(buf[k]);
        }
    }
}
