using System.Text;
using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>A translated OTLP request, validated and regrouped for the grains, with what was rejected.</summary>
public sealed class OtlpWrite(DecodedWrite write, OtlpTranslation translation)
{
    /// <summary>What the remote-write endpoint would hand to the grains for the same series.</summary>
    public DecodedWrite Write { get; } = write;

    public OtlpTranslation Translation { get; } = translation;

    public int DataPoints => Translation.DataPoints;

    /// <summary>Data points not written, whole or in part (a histogram point with one invalid series counts once).</summary>
    public long RejectedDataPoints => Translation.RejectedDataPoints;

    public IReadOnlyDictionary<string, long> RejectedByReason => Translation.RejectedByReason;

    /// <summary>The <c>partial_success.error_message</c>; "" when nothing was rejected.</summary>
    public string ErrorMessage => Translation.ErrorMessage;
}

/// <summary>
/// Validates translated OTLP series with exactly the remote-write rules and limits (<see cref="SeriesValidation"/>:
/// metric name length and form, label lengths, UTF-8, duplicates, exemplar labels), so that they are stored and
/// forwarded as a remote-write request with the same series would be. A data point one of whose series is refused is
/// counted as rejected (its valid series are still written, as remote write keeps the valid series of a request).
/// </summary>
public static class OtlpWriteReader
{
    public static OtlpWrite Read(OtlpTranslation translation, SeriesLimits? limits = null)
    {
        var series = new RepeatedField<OtlpSeries>();
        series.AddRange(translation.Series);
        var write = SeriesValidation.Read(series, new Source(), limits);
        foreach (var s in translation.Series)
        {
            if (s.Accepted) continue;
            if (s.DataPoint >= 0) translation.PointRejections[s.DataPoint] ??= OtlpRejection.InvalidSeries;
        }
        // The reasons as remote write reports them (the first few kept).
        foreach (var invalid in write.Invalid) translation.AddError(invalid.ToString());
        return new OtlpWrite(write, translation);
    }

    /// <summary>Every series has exactly one sample; <see cref="ReadSamples"/> is only asked of the valid ones.</summary>
    private sealed class Source : ISeriesSource<OtlpSeries>
    {
        public bool TryReadLabels(OtlpSeries series, LabelsBuilder labels, out string error)
        {
            foreach (var label in series.Labels)
            {
                if (!labels.TryAdd(label.Name, label.Value, out error)) return false;
            }
            error = "";
            return true;
        }

        public string Describe(OtlpSeries series)
        {
            var sb = new StringBuilder("{");
            foreach (var label in series.Labels)
            {
                if (sb.Length > 1) sb.Append(", ");
                sb.Append(SeriesValidation.Abbreviate(label.Name)).Append("=\"").Append(SeriesValidation.Abbreviate(label.Value)).Append('"');
            }
            return sb.Append('}').ToString();
        }

        public int ExemplarCount(OtlpSeries series) => series.Exemplars.Length;

        public bool TryReadExemplar(OtlpSeries series, int index, LabelsBuilder labels, out double value, out long timestampMs,
            out string error)
        {
            var exemplar = series.Exemplars[index];
            value = exemplar.Value;
            timestampMs = exemplar.TimestampMs;
            foreach (var label in exemplar.Labels)
            {
                if (!labels.TryAdd(label.Name, label.Value, out error)) return false;
            }
            error = "";
            return true;
        }

        public int SampleCount(OtlpSeries series) => 1;

        public Model.Sample[] ReadSamples(OtlpSeries series)
        {
            series.Accepted = true;
            return [series.Sample];
        }

        public int HistogramCount(OtlpSeries series) => 0;

        // Exponential histograms are refused by the translator (counted as rejected points), so no series has one.
        public Model.NativeHistogram[] ReadHistograms(OtlpSeries series) => [];

        // OTLP's start_time_unix_nano is not carried over yet (Prometheus 3 keeps it behind a feature flag too).
        public long[]? ReadStartTimestamps(OtlpSeries series) => null;
    }
}
