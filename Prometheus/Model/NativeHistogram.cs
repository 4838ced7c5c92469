using System.Globalization;
using System.Text;

namespace OrleansExemplars.Prometheus.Model;

/// <summary>Which member of a <c>oneof</c> count (<c>count</c>, <c>zero_count</c>) a histogram carries.</summary>
[GenerateSerializer]
public enum HistogramCountKind : byte
{
    /// <summary>Neither member sent (reads as an integer 0).</summary>
    None,
    Int,
    Float,
}

/// <summary>A native-histogram bucket span: <c>BucketSpan{offset = 1 (sint32), length = 2 (uint32)}</c>.</summary>
[GenerateSerializer, Immutable]
public readonly record struct BucketSpan([property: Id(0)] int Offset, [property: Id(1)] uint Length);

/// <summary>
/// One native-histogram sample as remote write carries it: <c>prometheus.Histogram</c> (1.0) and
/// <c>io.prometheus.write.v2.Histogram</c> (2.0) have the same fields 1 to 16, and 2.0 adds <c>start_timestamp</c> (17).
/// Kept as sent, field for field, so that it is forwarded as it came: the <c>oneof</c> members that were set (an
/// integer histogram has <c>count_int</c>, a float one <c>count_float</c>, which is how Prometheus 3 tells them apart),
/// both the delta (integer) and the absolute (float) bucket arrays, and the reset hint as its number (unknown values
/// included). Immutable once built.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class NativeHistogram
{
    /// <summary>Prometheus' custom-bucket schema (NHCB): buckets bounded by <see cref="CustomValues"/>.</summary>
    public const int CustomBucketsSchema = -53;

    [Id(0)] public HistogramCountKind CountKind { get; init; }
    [Id(1)] public ulong CountInt { get; init; }
    [Id(2)] public double CountFloat { get; init; }
    [Id(3)] public double Sum { get; init; }
    [Id(4)] public int Schema { get; init; }
    [Id(5)] public double ZeroThreshold { get; init; }
    [Id(6)] public HistogramCountKind ZeroCountKind { get; init; }
    [Id(7)] public ulong ZeroCountInt { get; init; }
    [Id(8)] public double ZeroCountFloat { get; init; }
    [Id(9)] public BucketSpan[] NegativeSpans { get; init; } = [];
    [Id(10)] public long[] NegativeDeltas { get; init; } = [];
    [Id(11)] public double[] NegativeCounts { get; init; } = [];
    [Id(12)] public BucketSpan[] PositiveSpans { get; init; } = [];
    [Id(13)] public long[] PositiveDeltas { get; init; } = [];
    [Id(14)] public double[] PositiveCounts { get; init; } = [];

    /// <summary><c>ResetHint</c>: 0 unknown, 1 yes, 2 no, 3 gauge; other numbers are kept as sent.</summary>
    [Id(15)] public int ResetHint { get; init; }

    [Id(16)] public long TimestampMs { get; init; }
    [Id(17)] public double[] CustomValues { get; init; } = [];

    /// <summary>2.0 only (field 17); 0 means unset. Remote write 1.0 has no such field: it is not sent there.</summary>
    [Id(18)] public long StartTimestampMs { get; init; }

    /// <summary>A float histogram (<c>count_float</c> set), as Prometheus 3 decides (<c>IsFloatHistogram</c>).</summary>
    public bool IsFloat => CountKind == HistogramCountKind.Float;

    /// <summary>Every field, for tests and logs: two histograms with the same text are the same on the wire.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"@{TimestampMs} st={StartTimestampMs} count=");
        Count(sb, CountKind, CountInt, CountFloat);
        sb.Append(CultureInfo.InvariantCulture, $" sum={Bits(Sum)} schema={Schema} zt={Bits(ZeroThreshold)} zc=");
        Count(sb, ZeroCountKind, ZeroCountInt, ZeroCountFloat);
        sb.Append(" neg=").Append(Spans(NegativeSpans)).Append('/').AppendJoin(',', NegativeDeltas)
          .Append('/').AppendJoin(',', NegativeCounts.Select(Bits));
        sb.Append(" pos=").Append(Spans(PositiveSpans)).Append('/').AppendJoin(',', PositiveDeltas)
          .Append('/').AppendJoin(',', PositiveCounts.Select(Bits));
        sb.Append(CultureInfo.InvariantCulture, $" reset={ResetHint} custom=").AppendJoin(',', CustomValues.Select(Bits));
        return sb.ToString();

        static string Bits(double d) => d.ToString("R", CultureInfo.InvariantCulture);
        static string Spans(BucketSpan[] spans) => string.Join(',', spans.Select(s => $"{s.Offset}:{s.Length}"));
        static void Count(StringBuilder sb, HistogramCountKind kind, ulong i, double f) => sb.Append(kind switch
        {
            HistogramCountKind.Int => i.ToString(CultureInfo.InvariantCulture),
            HistogramCountKind.Float => "f" + Bits(f),
            _ => "none",
        });
    }
}
