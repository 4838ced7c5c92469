using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// <see cref="NativeHistogram"/> to and from the generated 1.0 and 2.0 <c>Histogram</c> messages, field for field (the
/// <c>oneof</c> members that were set, both bucket arrays, the reset hint as its number).
/// </summary>
public static class HistogramProtos
{
    public static NativeHistogram FromV1(V1.Histogram h) => new()
    {
        CountKind = h.CountCase switch
        {
            V1.Histogram.CountOneofCase.CountInt => HistogramCountKind.Int,
            V1.Histogram.CountOneofCase.CountFloat => HistogramCountKind.Float,
            _ => HistogramCountKind.None,
        },
        CountInt = h.CountInt,
        CountFloat = h.CountFloat,
        Sum = h.Sum,
        Schema = h.Schema,
        ZeroThreshold = h.ZeroThreshold,
        ZeroCountKind = h.ZeroCountCase switch
        {
            V1.Histogram.ZeroCountOneofCase.ZeroCountInt => HistogramCountKind.Int,
            V1.Histogram.ZeroCountOneofCase.ZeroCountFloat => HistogramCountKind.Float,
            _ => HistogramCountKind.None,
        },
        ZeroCountInt = h.ZeroCountInt,
        ZeroCountFloat = h.ZeroCountFloat,
        NegativeSpans = [.. h.NegativeSpans.Select(s => new BucketSpan(s.Offset, s.Length))],
        NegativeDeltas = [.. h.NegativeDeltas],
        NegativeCounts = [.. h.NegativeCounts],
        PositiveSpans = [.. h.PositiveSpans.Select(s => new BucketSpan(s.Offset, s.Length))],
        PositiveDeltas = [.. h.PositiveDeltas],
        PositiveCounts = [.. h.PositiveCounts],
        ResetHint = (int)h.ResetHint,
        TimestampMs = h.Timestamp,
        CustomValues = [.. h.CustomValues],
    };

    public static NativeHistogram FromV2(V2.Histogram h) => new()
    {
        CountKind = h.CountCase switch
        {
            V2.Histogram.CountOneofCase.CountInt => HistogramCountKind.Int,
            V2.Histogram.CountOneofCase.CountFloat => HistogramCountKind.Float,
            _ => HistogramCountKind.None,
        },
        CountInt = h.CountInt,
        CountFloat = h.CountFloat,
        Sum = h.Sum,
        Schema = h.Schema,
        ZeroThreshold = h.ZeroThreshold,
        ZeroCountKind = h.ZeroCountCase switch
        {
            V2.Histogram.ZeroCountOneofCase.ZeroCountInt => HistogramCountKind.Int,
            V2.Histogram.ZeroCountOneofCase.ZeroCountFloat => HistogramCountKind.Float,
            _ => HistogramCountKind.None,
        },
        ZeroCountInt = h.ZeroCountInt,
        ZeroCountFloat = h.ZeroCountFloat,
        NegativeSpans = [.. h.NegativeSpans.Select(s => new BucketSpan(s.Offset, s.Length))],
        NegativeDeltas = [.. h.NegativeDeltas],
        NegativeCounts = [.. h.NegativeCounts],
        PositiveSpans = [.. h.PositiveSpans.Select(s => new BucketSpan(s.Offset, s.Length))],
        PositiveDeltas = [.. h.PositiveDeltas],
        PositiveCounts = [.. h.PositiveCounts],
        ResetHint = (int)h.ResetHint,
        TimestampMs = h.Timestamp,
        CustomValues = [.. h.CustomValues],
        StartTimestampMs = h.StartTimestamp,
    };

    public static V1.Histogram ToV1(NativeHistogram h)
    {
        var p = new V1.Histogram
        {
            Sum = h.Sum,
            Schema = h.Schema,
            ZeroThreshold = h.ZeroThreshold,
            ResetHint = (V1.Histogram.Types.ResetHint)h.ResetHint,
            Timestamp = h.TimestampMs,
        };
        switch (h.CountKind)
        {
            case HistogramCountKind.Int: p.CountInt = h.CountInt; break;
            case HistogramCountKind.Float: p.CountFloat = h.CountFloat; break;
        }
        switch (h.ZeroCountKind)
        {
            case HistogramCountKind.Int: p.ZeroCountInt = h.ZeroCountInt; break;
            case HistogramCountKind.Float: p.ZeroCountFloat = h.ZeroCountFloat; break;
        }
        p.NegativeSpans.AddRange(h.NegativeSpans.Select(s => new V1.BucketSpan { Offset = s.Offset, Length = s.Length }));
        p.NegativeDeltas.AddRange(h.NegativeDeltas);
        p.NegativeCounts.AddRange(h.NegativeCounts);
        p.PositiveSpans.AddRange(h.PositiveSpans.Select(s => new V1.BucketSpan { Offset = s.Offset, Length = s.Length }));
        p.PositiveDeltas.AddRange(h.PositiveDeltas);
        p.PositiveCounts.AddRange(h.PositiveCounts);
        p.CustomValues.AddRange(h.CustomValues);
        return p;
    }

    public static V2.Histogram ToV2(NativeHistogram h)
    {
        var p = new V2.Histogram
        {
            Sum = h.Sum,
            Schema = h.Schema,
            ZeroThreshold = h.ZeroThreshold,
            ResetHint = (V2.Histogram.Types.ResetHint)h.ResetHint,
            Timestamp = h.TimestampMs,
            StartTimestamp = h.StartTimestampMs,
        };
        switch (h.CountKind)
        {
            case HistogramCountKind.Int: p.CountInt = h.CountInt; break;
            case HistogramCountKind.Float: p.CountFloat = h.CountFloat; break;
        }
        switch (h.ZeroCountKind)
        {
            case HistogramCountKind.Int: p.ZeroCountInt = h.ZeroCountInt; break;
            case HistogramCountKind.Float: p.ZeroCountFloat = h.ZeroCountFloat; break;
        }
        p.NegativeSpans.AddRange(h.NegativeSpans.Select(s => new V2.BucketSpan { Offset = s.Offset, Length = s.Length }));
        p.NegativeDeltas.AddRange(h.NegativeDeltas);
        p.NegativeCounts.AddRange(h.NegativeCounts);
        p.PositiveSpans.AddRange(h.PositiveSpans.Select(s => new V2.BucketSpan { Offset = s.Offset, Length = s.Length }));
        p.PositiveDeltas.AddRange(h.PositiveDeltas);
        p.PositiveCounts.AddRange(h.PositiveCounts);
        p.CustomValues.AddRange(h.CustomValues);
        return p;
    }
}
