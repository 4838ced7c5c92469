using System.Globalization;

namespace OrleansExemplars.Prometheus.PromQL;

/// <summary>
/// Literal decoding with the exact acceptance rules Prometheus inherits from Go: <c>strconv.ParseInt(s, 0, 64)</c>
/// falling back to <c>strconv.ParseFloat</c> for numbers, <c>model.ParseDuration</c> (prometheus/common v0.39) for
/// durations and <c>strutil.Unquote</c> for strings.
/// </summary>
public static class GoLiterals
{
    /// <summary>Parses a number token as Prometheus does; <paramref name="error"/> is the Go error text on failure.</summary>
    public static double ParseNumber(string s, out string? error)
    {
        error = null;
        if (TryParseInt(s, out var l))
        {
            return l;
        }
        if (TryParseFloat(s, out var d, out var outOfRange))
        {
            return d;
        }
        error = $"strconv.ParseFloat: parsing {GoFormat.Quote(s)}: {(outOfRange ? "value out of range" : "invalid syntax")}";
        return outOfRange ? d : 0;
    }

    /// <summary><c>strconv.ParseInt(s, 0, 64)</c> for unsigned inputs (decimal, 0x hex, 0 octal, 0b, 0o).</summary>
    private static bool TryParseInt(string s, out long value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }
        var numberBase = 10;
        var digits = s.AsSpan();
        if (s[0] == '0' && s.Length > 1)
        {
            switch (s[1])
            {
                case 'x' or 'X':
                    numberBase = 16;
                    digits = digits[2..];
                    break;
                case 'b' or 'B':
                    numberBase = 2;
                    digits = digits[2..];
                    break;
                case 'o' or 'O':
                    numberBase = 8;
                    digits = digits[2..];
                    break;
                default:
                    numberBase = 8;
                    digits = digits[1..];
                    break;
            }
        }
        if (digits.Length == 0)
        {
            return false;
        }
        ulong acc = 0;
        foreach (var c in digits)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (d >= numberBase)
            {
                return false;
            }
            if (acc > (ulong.MaxValue - (ulong)d) / (ulong)numberBase)
            {
                return false; // out of range
            }
            acc = acc * (ulong)numberBase + (ulong)d;
        }
        if (acc > long.MaxValue)
        {
            return false;
        }
        value = (long)acc;
        return true;
    }

    /// <summary><c>strconv.ParseFloat(s, 64)</c> restricted to what the lexer can produce (no hex floats, since those
    /// need a 'p' exponent the lexer never accepts).</summary>
    private static bool TryParseFloat(string s, out double value, out bool outOfRange)
    {
        value = 0;
        outOfRange = false;
        var body = s.AsSpan();
        var negative = false;
        if (body.Length > 0 && (body[0] == '+' || body[0] == '-'))
        {
            negative = body[0] == '-';
            body = body[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) ||
            body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        var i = 0;
        var mantissaDigits = 0;
        while (i < body.Length && char.IsAsciiDigit(body[i]))
        {
            i++;
            mantissaDigits++;
        }
        if (i < body.Length && body[i] == '.')
        {
            i++;
            while (i < body.Length && char.IsAsciiDigit(body[i]))
            {
                i++;
                mantissaDigits++;
            }
        }
        if (mantissaDigits == 0)
        {
            return false;
        }
        if (i < body.Length && (body[i] == 'e' || body[i] == 'E'))
        {
            i++;
            if (i < body.Length && (body[i] == '+' || body[i] == '-'))
            {
                i++;
            }
            var expDigits = 0;
            while (i < body.Length && char.IsAsciiDigit(body[i]))
            {
                i++;
                expDigits++;
            }
            if (expDigits == 0)
            {
                return false;
            }
        }
        if (i != body.Length)
        {
            return false;
        }
        value = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
        {
            outOfRange = true;
            return false;
        }
        return true;
    }

    private static readonly (char Unit, bool Ms, long MultMs)[] DurationUnits =
    [
        ('y', false, 1000L * 60 * 60 * 24 * 365),
        ('w', false, 1000L * 60 * 60 * 24 * 7),
        ('d', false, 1000L * 60 * 60 * 24),
        ('h', false, 1000L * 60 * 60),
        ('m', false, 1000L * 60),
        ('s', false, 1000L),
        ('m', true, 1L),
    ];

    /// <summary>
    /// <c>model.ParseDuration</c> of prometheus/common v0.39: <c>^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$</c>
    /// with overflow detection. Returns false with the Go error text on failure.
    /// </summary>
    public static bool TryParseDuration(string s, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = null;
        if (s == "0")
        {
            return true;
        }
        if (s.Length == 0)
        {
            error = "empty duration string";
            return false;
        }
        var i = 0;
        long dur = 0;
        string? overflow = null;
        foreach (var (unit, ms, mult) in DurationUnits)
        {
            var j = i;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                j++;
            }
            if (j == i)
            {
                continue;
            }
            var unitLen = ms ? 2 : 1;
            var unitMatches = ms
                ? j + 1 < s.Length && s[j] == 'm' && s[j + 1] == 's'
                : j < s.Length && s[j] == unit && !(unit == 'm' && j + 1 < s.Length && s[j + 1] == 's');
            if (!unitMatches)
            {
                continue;
            }
            var n = ParseClampedInt(s.AsSpan(i, j - i));
            if (n > long.MaxValue / mult / 1_000_000)
            {
                overflow = "duration out of range";
            }
            unchecked
            {
                var d = n * 1_000_000;
                dur += d * mult;
            }
            if (dur < 0)
            {
                overflow = "duration out of range";
            }
            i = j + unitLen;
        }
        if (i != s.Length)
        {
            error = $"not a valid duration string: {GoFormat.Quote(s)}";
            return false;
        }
        if (overflow != null)
        {
            error = overflow;
            return false;
        }
        duration = TimeSpan.FromTicks(dur / 100);
        return true;
    }

    private static long ParseClampedInt(ReadOnlySpan<char> digits)
    {
        long n = 0;
        foreach (var c in digits)
        {
            if (n > (long.MaxValue - (c - '0')) / 10)
            {
                return long.MaxValue; // strconv.Atoi clamps on range errors (and the error is ignored)
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
