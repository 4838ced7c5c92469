using System.Globalization;
using System.Text;
using OrleansExemplars.Prometheus.Otlp.Proto;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>
/// OTLP attribute values and numbers as text, spelled as the Go code behind Prometheus' OTLP receiver spells them
/// (the Collector's <c>pcommon.Value.AsString</c>, Go's <c>strconv.FormatFloat(f, 'f', -1, 64)</c>).
/// </summary>
public static class OtlpValues
{
    /// <summary>
    /// <c>pcommon.Value.AsString</c>: strings as they are, booleans <c>true</c>/<c>false</c>, integers in decimal, doubles
    /// as JavaScript prints numbers, bytes in base64, arrays and key-value lists as JSON; no value is "".
    /// </summary>
    public static string AsString(AnyValue? value)
    {
        if (value is null) return "";
        return value.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => FormatEs6(value.DoubleValue),
            AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToBase64(),
            AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue => Json(value),
            AnyValue.ValueOneofCase.StringValueStrindex => value.StringValueStrindex.ToString(CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    /// <summary>Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: the shortest digits that read back as <paramref name="v"/>, never an exponent.</summary>
    public static string FormatFloatF(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        var (negative, digits, point) = ShortestDigits(v);
        var sb = new StringBuilder(32);
        if (negative) sb.Append('-');
        AppendFixed(sb, digits, point);
        return sb.ToString();
    }

    /// <summary>
    /// A double as JavaScript (and Go's <c>encoding/json</c>) prints it: fixed notation from 1e-6 to below 1e21, else an
    /// exponent without padding (<c>1e-7</c>, <c>1e+21</c>); NaN and the infinities as <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.
    /// </summary>
    public static string FormatEs6(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "Infinity";
        if (double.IsNegativeInfinity(v)) return "-Infinity";
        var abs = Math.Abs(v);
        var (negative, digits, point) = ShortestDigits(v);
        var sb = new StringBuilder(32);
        if (negative) sb.Append('-');
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var exponent = point - 1;
            sb.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            AppendFixed(sb, digits, point);
        }
        return sb.ToString();
    }

    /// <summary>Lower-case hex of an id, as Prometheus writes <c>trace_id</c> and <c>span_id</c>.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>The shortest round-trip digits of <paramref name="v"/> (no leading or trailing zeros; "0" for zero) and where the point goes.</summary>
    private static (bool Negative, string Digits, int Point) ShortestDigits(double v)
    {
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
        var point = (dot >= 0 ? dot : r.Length) + exponent;
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..];
        point -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
            point = 1;
        }
        return (negative, digits, point);
    }

    private static void AppendFixed(StringBuilder sb, string digits, int point)
    {
        if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
    }

    /// <summary>Go's <c>json.Marshal</c> of <c>AsRaw()</c> without HTML escaping: map keys sorted, bytes in base64.</summary>
    private static string Json(AnyValue value)
    {
        var sb = new StringBuilder();
        if (!TryAppendJson(sb, value, depth: 0)) return "";
        return sb.ToString();
    }

    /// <summary>False when Go's encoder would fail (NaN or an infinity somewhere, or absurd nesting): AsString is then "".</summary>
    private static bool TryAppendJson(StringBuilder sb, AnyValue? value, int depth)
    {
        if (depth > 100) return false;
        switch (value?.ValueCase ?? AnyValue.ValueOneofCase.None)
        {
            case AnyValue.ValueOneofCase.StringValue:
                AppendJsonString(sb, value!.StringValue);
                return true;
            case AnyValue.ValueOneofCase.BoolValue:
                sb.Append(value!.BoolValue ? "true" : "false");
                return true;
            case AnyValue.ValueOneofCase.IntValue:
                sb.Append(value!.IntValue.ToString(CultureInfo.InvariantCulture));
                return true;
            case AnyValue.ValueOneofCase.DoubleValue:
                if (!double.IsFinite(value!.DoubleValue)) return false;
                sb.Append(FormatEs6(value.DoubleValue));
                return true;
            case AnyValue.ValueOneofCase.BytesValue:
                AppendJsonString(sb, value!.BytesValue.ToBase64());
                return true;
            case AnyValue.ValueOneofCase.ArrayValue:
                sb.Append('[');
                var first = true;
                foreach (var item in value!.ArrayValue.Values)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    if (!TryAppendJson(sb, item, depth + 1)) return false;
                }
                sb.Append(']');
                return true;
            case AnyValue.ValueOneofCase.KvlistValue:
                // A Go map: one entry per key (the last wins), keys in byte order.
                var entries = new SortedDictionary<string, AnyValue?>(StringComparer.Ordinal);
                foreach (var kv in value!.KvlistValue.Values) entries[kv.Key] = kv.Value;
                sb.Append('{');
                var firstEntry = true;
                foreach (var (key, item) in entries)
                {
                    if (!firstEntry) sb.Append(',');
                    firstEntry = false;
                    AppendJsonString(sb, key);
                    sb.Append(':');
                    if (!TryAppendJson(sb, item, depth + 1)) return false;
                }
                sb.Append('}');
                return true;
            default:
                sb.Append("null");
                return true;
        }
    }

    private static void AppendJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
