using System.Globalization;

namespace OrleansExemplars.Prometheus.Json;

/// <summary>
/// Numbers as Prometheus' JSON spells them (string values, float-second timestamps), written as UTF-8 into a span
/// without allocating: a large query writes two numbers per exemplar, hundreds of thousands of them (profiled: string
/// versions were a fifth of a metric grain's query time). The metric grains write their query answers with these.
/// </summary>
public static class PrometheusJsonNumbers
{
    /// <summary>Enough for any timestamp (20 digits, sign, '.', 3 decimals) and any value.</summary>
    public const int MaxLength = 32;

    /// <summary>
    /// Prometheus' <c>jsonutil.MarshalTimestamp</c> (seconds, and exactly three decimals when not whole) into
    /// <paramref name="output"/> (at least <see cref="MaxLength"/> bytes); returns the length.
    /// </summary>
    public static int WriteTimestamp(long ms, Span<byte> output)
    {
        var pos = 0;
        // Unsigned magnitude: -long.MinValue does not fit a long.
        var abs = ms < 0 ? (ulong)(-(ms + 1)) + 1 : (ulong)ms;
        if (ms < 0) output[pos++] = (byte)'-';
        var whole = abs / 1000;
        var fraction = (int)(abs % 1000);
        whole.TryFormat(output[pos..], out var n, default, CultureInfo.InvariantCulture);
        pos += n;
        if (fraction != 0)
        {
            output[pos++] = (byte)'.';
            output[pos++] = (byte)('0' + fraction / 100);
            output[pos++] = (byte)('0' + fraction / 10 % 10);
            output[pos++] = (byte)('0' + fraction % 10);
        }
        return pos;
    }

    /// <summary>
    /// Prometheus' <c>jsonutil.MarshalValue</c> (Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>, switching to
    /// <c>'e'</c> below 1e-6 and from 1e21; NaN and ±Inf as Go spells them) into <paramref name="output"/> (at least
    /// <see cref="MaxLength"/> bytes); returns the length.
    /// </summary>
    public static int WriteValue(double v, Span<byte> output)
    {
        if (double.IsNaN(v)) return Copy("NaN"u8, output);
        if (double.IsPositiveInfinity(v)) return Copy("+Inf"u8, output);
        if (double.IsNegativeInfinity(v)) return Copy("-Inf"u8, output);
        if (v == 0) return Copy(double.IsNegative(v) ? "-0"u8 : "0"u8, output);

        // "R" gives the shortest round-trip digits; re-lay them out as Go would.
        Span<char> r = stackalloc char[MaxLength];
        v.TryFormat(r, out var length, "R", CultureInfo.InvariantCulture);
        r = r[..length];
        var negative = r[0] == '-';
        if (negative) r = r[1..];
        var exponent = 0;
        var e = r.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        Span<char> digitBuffer = stackalloc char[MaxLength];
        var count = 0;
        foreach (var c in r)
        {
            if (c != '.') digitBuffer[count++] = c;
        }
        var pointPos = (dot >= 0 ? dot : r.Length) + exponent;
        ReadOnlySpan<char> digits = digitBuffer[..count];
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..];
        pointPos -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        var pos = 0;
        if (negative) output[pos++] = (byte)'-';
        var abs = Math.Abs(v);
        if (abs < 1e-6 || abs >= 1e21)
        {
            output[pos++] = (byte)digits[0];
            if (digits.Length > 1)
            {
                output[pos++] = (byte)'.';
                pos += Ascii(digits[1..], output[pos..]);
            }
            var exp = pointPos - 1;
            output[pos++] = (byte)'e';
            output[pos++] = (byte)(exp < 0 ? '-' : '+');
            Math.Abs(exp).TryFormat(output[pos..], out var n, "00", CultureInfo.InvariantCulture);
            pos += n;
        }
        else if (pointPos <= 0)
        {
            output[pos++] = (byte)'0';
            output[pos++] = (byte)'.';
            output.Slice(pos, -pointPos).Fill((byte)'0');
            pos += -pointPos;
            pos += Ascii(digits, output[pos..]);
        }
        else if (pointPos >= digits.Length)
        {
            pos += Ascii(digits, output[pos..]);
            output.Slice(pos, pointPos - digits.Length).Fill((byte)'0');
            pos += pointPos - digits.Length;
        }
        else
        {
            pos += Ascii(digits[..pointPos], output[pos..]);
            output[pos++] = (byte)'.';
            pos += Ascii(digits[pointPos..], output[pos..]);
        }
        return pos;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> output)
    {
        text.CopyTo(output);
        return text.Length;
    }

    private static int Ascii(ReadOnlySpan<char> digits, Span<byte> output)
    {
        for (var i = 0; i < digits.Length; i++) output[i] = (byte)digits[i];
        return digits.Length;
    }
}
