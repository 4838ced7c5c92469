using System.Globalization;
using System.Text;

namespace OrleansExemplars.Tests.Query;

/// <summary>
/// Numbers as Prometheus' JSON spells them (string values, float-second timestamps), as strings: the oracle the
/// server's allocation-free <c>PrometheusJsonNumbers</c> is checked against.
/// </summary>
public static class PrometheusNumberOracle
{
    /// <summary>Prometheus' <c>jsonutil.MarshalTimestamp</c>: seconds, and exactly three decimals when not whole.</summary>
    public static string FormatTimestamp(long ms)
    {
        var sb = new StringBuilder(24);
        var negative = ms < 0;
        var abs = negative ? -(decimal)ms : ms;
        if (negative) sb.Append('-');
        var whole = decimal.Truncate(abs / 1000);
        var fraction = (int)(abs - whole * 1000);
        sb.Append(whole.ToString(CultureInfo.InvariantCulture));
        if (fraction != 0) sb.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>
    /// Prometheus' <c>jsonutil.MarshalValue</c>: Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>, switching to
    /// <c>'e'</c> below 1e-6 and from 1e21; NaN and ±Inf spelled as Go spells them.
    /// </summary>
    public static string FormatValue(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return double.IsNegative(v) ? "-0" : "0";

        // "R" gives the shortest round-trip digits; re-lay them out as Go would.
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative) r = r[1..];
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        var digits = dot >= 0 ? r.Remove(dot, 1) : r;
        var pointPos = (dot >= 0 ? dot : r.Length) + exponent; // decimal point after this many digits
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..];
        pointPos -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        var sb = new StringBuilder(32);
        if (negative) sb.Append('-');
        var abs = Math.Abs(v);
        if (abs < 1e-6 || abs >= 1e21)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var exp = pointPos - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            sb.Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPos <= 0)
        {
            sb.Append("0.").Append('0', -pointPos).Append(digits);
        }
        else if (pointPos >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPos - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
        return sb.ToString();
    }
}
