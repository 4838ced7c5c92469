using System.Globalization;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// The checks Prometheus 3 makes of a native histogram before it stores one (<c>Histogram.Validate</c> and
/// <c>FloatHistogram.Validate</c> in model/histogram), applied when a request is read, so that a histogram every
/// Prometheus would refuse is refused here with its series (400 to the sender) instead of costing a whole forwarded batch
/// at the TSDB, which refuses a request for one bad histogram. An integer histogram (<c>count_int</c>, or no count) is
/// checked on its delta buckets, a float one (<c>count_float</c>) on its absolute counts, as Prometheus reads each.
/// </summary>
/// <remarks>
/// One difference: Prometheus 3 lowers the resolution of an exponential schema from 9 to 52 to 8 before it stores the
/// histogram; this receiver does not rewrite histograms, so it refuses every schema outside -4 to 8 and -53.
/// </remarks>
public static class HistogramValidation
{
    public const int ExponentialSchemaMin = -4;
    public const int ExponentialSchemaMax = 8;

    /// <summary>Why Prometheus would refuse <paramref name="h"/>, or null when it is valid.</summary>
    public static string? Error(NativeHistogram h)
    {
        var custom = h.Schema == NativeHistogram.CustomBucketsSchema;
        if (!custom && h.Schema is < ExponentialSchemaMin or > ExponentialSchemaMax)
        {
            return Invariant(
                $"schema {h.Schema} is invalid: it must be between {ExponentialSchemaMin} and {ExponentialSchemaMax} for exponential buckets, or {NativeHistogram.CustomBucketsSchema} for custom buckets");
        }
        var zeroCount = h.IsFloat ? h.ZeroCountFloat : h.ZeroCountInt;
        if (custom)
        {
            if (CustomBoundsError(h) is { } boundsError) return "custom buckets: " + boundsError;
            if (zeroCount != 0) return "custom buckets: the zero bucket's count must be 0";
            if (h.ZeroThreshold != 0) return "custom buckets: the zero threshold must be 0";
            if (h.NegativeSpans.Length > 0) return "custom buckets: there must be no negative spans";
            if (NegativeBucketCount(h) > 0) return "custom buckets: there must be no negative buckets";
        }
        else
        {
            if (SpansError(h.PositiveSpans, PositiveBucketCount(h)) is { } positive) return "positive side: " + positive;
            if (SpansError(h.NegativeSpans, NegativeBucketCount(h)) is { } negative) return "negative side: " + negative;
            if (h.CustomValues.Length > 0) return "a histogram with an exponential schema must have no custom bounds";
        }
        return h.IsFloat ? FloatCountsError(h, custom) : IntCountsError(h, custom);
    }

    private static int PositiveBucketCount(NativeHistogram h) => h.IsFloat ? h.PositiveCounts.Length : h.PositiveDeltas.Length;

    private static int NegativeBucketCount(NativeHistogram h) => h.IsFloat ? h.NegativeCounts.Length : h.NegativeDeltas.Length;

    private static string? IntCountsError(NativeHistogram h, bool custom)
    {
        ulong buckets = 0;
        if (!custom && BucketsError(h.NegativeDeltas, ref buckets) is { } negative) return "negative side: " + negative;
        if (BucketsError(h.PositiveDeltas, ref buckets) is { } positive) return "positive side: " + positive;
        var total = unchecked(buckets + h.ZeroCountInt);
        if (double.IsNaN(h.Sum))
        {
            return total > h.CountInt
                ? Invariant($"{total} observations found in the buckets, but the count is {h.CountInt}: it must be at least that")
                : null;
        }
        return total != h.CountInt
            ? Invariant($"{total} observations found in the buckets, but the count is {h.CountInt}: it must equal that (in the absence of NaN)")
            : null;
    }

    private static string? FloatCountsError(NativeHistogram h, bool custom)
    {
        if (!custom)
        {
            if (FloatBucketsError(h.NegativeCounts) is { } negative) return "negative side: " + negative;
            if (h.ZeroCountFloat < 0) return Invariant($"the zero bucket has an observation count of {h.ZeroCountFloat}: it must not be negative");
        }
        if (h.CountFloat < 0) return Invariant($"the observation count is {h.CountFloat}: it must not be negative");
        return FloatBucketsError(h.PositiveCounts) is { } positive ? "positive side: " + positive : null;
    }

    private static string? BucketsError(long[] deltas, ref ulong total)
    {
        long count = 0;
        for (var i = 0; i < deltas.Length; i++)
        {
            count = unchecked(count + deltas[i]);
            if (count < 0) return Invariant($"bucket {i + 1} has an observation count of {count}: it must not be negative");
            total = unchecked(total + (ulong)count);
        }
        return null;
    }

    private static string? FloatBucketsError(double[] counts)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] < 0) return Invariant($"bucket {i + 1} has an observation count of {counts[i]}: it must not be negative");
        }
        return null;
    }

    private static string? SpansError(BucketSpan[] spans, int buckets)
    {
        long needed = 0;
        for (var i = 0; i < spans.Length; i++)
        {
            if (i > 0 && spans[i].Offset < 0) return Invariant($"span {i + 1} has offset {spans[i].Offset}: only the first may be negative");
            needed += spans[i].Length;
        }
        return needed != buckets ? Invariant($"the spans need {needed} buckets, and there are {buckets}") : null;
    }

    private static string? CustomBoundsError(NativeHistogram h)
    {
        var bounds = h.CustomValues;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (double.IsNaN(bounds[i])) return "the custom bounds must not be NaN";
            if (i > 0 && bounds[i] <= bounds[i - 1]) return Invariant($"bound {bounds[i]} follows {bounds[i - 1]}: the custom bounds must strictly increase");
        }
        if (bounds.Length > 0 && double.IsPositiveInfinity(bounds[^1])) return "the last bound +Inf must not be given: it is implied";
        long needed = 0, covered = 0;
        for (var i = 0; i < h.PositiveSpans.Length; i++)
        {
            var span = h.PositiveSpans[i];
            if (span.Offset < 0) return Invariant($"span {i + 1} has offset {span.Offset}: it must not be negative");
            needed += span.Length;
            covered += span.Length + (long)span.Offset;
        }
        var buckets = PositiveBucketCount(h);
        if (needed != buckets) return Invariant($"the spans need {needed} buckets, and there are {buckets}");
        return bounds.Length + 1 < covered
            ? Invariant($"{bounds.Length} custom bounds cannot cover spans of total length {covered}")
            : null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
