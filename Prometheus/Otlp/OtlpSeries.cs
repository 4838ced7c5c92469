using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>An exemplar of a translated series, its labels not yet validated.</summary>
public sealed record OtlpExemplar(Label[] Labels, double Value, long TimestampMs);

/// <summary>
/// One Prometheus series with its one sample, translated from an OTLP data point (a histogram point becomes several:
/// <c>_sum</c>, <c>_count</c> and one per bucket). The labels are sorted by name and unique, not yet validated against
/// the ingest limits: <see cref="OtlpWriteReader"/> does that with the remote-write rules.
/// </summary>
public sealed class OtlpSeries(Label[] labels, Sample sample, OtlpExemplar[] exemplars, int dataPoint)
{
    public Label[] Labels { get; } = labels;
    public Sample Sample { get; } = sample;
    public OtlpExemplar[] Exemplars { get; } = exemplars;

    /// <summary>Index of the OTLP data point it came from, in request order; -1 for a <c>target_info</c> sample.</summary>
    public int DataPoint { get; } = dataPoint;

    /// <summary>Set by <see cref="OtlpWriteReader"/> when the series passed validation.</summary>
    internal bool Accepted { get; set; }

    public string MetricName => Array.Find(Labels, l => l.Name == LabelSet.MetricName).Value ?? "";

    public override string ToString() => $"{{{string.Join(", ", Labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}} {Sample.Value} @{Sample.TimestampMs}";
}

/// <summary>Why OTLP data points were not written: the <c>reason</c> of the rejected-points counter.</summary>
public static class OtlpRejection
{
    /// <summary>A sum or histogram with delta (or unspecified) temporality: Prometheus refuses those too.</summary>
    public const string DeltaTemporality = "delta_temporality";

    /// <summary>Exponential histograms become native histograms, which this system does not forward.</summary>
    public const string ExponentialHistogram = "exponential_histogram";

    /// <summary>The metric name translates to nothing usable.</summary>
    public const string InvalidMetricName = "invalid_metric_name";

    /// <summary>An attribute key translates to nothing usable.</summary>
    public const string InvalidLabelName = "invalid_label_name";

    /// <summary>An exemplar without a value.</summary>
    public const string InvalidExemplar = "invalid_exemplar";

    /// <summary>A metric with no data of a known type.</summary>
    public const string UnsupportedMetricType = "unsupported_metric_type";

    /// <summary>A series of the point broke the ingest rules (lengths, metric name): the remote-write validation.</summary>
    public const string InvalidSeries = "invalid_series";
}

/// <summary>What <see cref="OtlpTranslator.Translate"/> made of a request.</summary>
public sealed class OtlpTranslation
{
    public List<OtlpSeries> Series { get; } = [];

    /// <summary>OTLP data points in the request, of every type.</summary>
    public int DataPoints { get; internal set; }

    /// <summary>Per data point (by <see cref="OtlpSeries.DataPoint"/>): the reason it was rejected, or null.</summary>
    internal List<string?> PointRejections { get; } = [];

    /// <summary>The distinct messages explaining the rejections, in the order met (a few at most).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Messages not kept in <see cref="Errors"/>.</summary>
    public int MoreErrors { get; internal set; }

    public long RejectedDataPoints => PointRejections.Count(r => r is not null);

    public IReadOnlyDictionary<string, long> RejectedByReason =>
        PointRejections.Where(r => r is not null).GroupBy(r => r!).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

    internal const int MaxErrors = 5;

    internal int AddPoint()
    {
        PointRejections.Add(null);
        DataPoints++;
        return PointRejections.Count - 1;
    }

    internal void Reject(int point, string reason, string message)
    {
        PointRejections[point] ??= reason;
        AddError(message);
    }

    internal void AddError(string message)
    {
        if (Errors.Contains(message)) return;
        if (Errors.Count < MaxErrors) Errors.Add(message);
        else MoreErrors++;
    }

    /// <summary>The <c>partial_success.error_message</c>: the reasons, joined.</summary>
    public string ErrorMessage =>
        Errors.Count == 0 ? "" : string.Join("; ", Errors) + (MoreErrors > 0 ? $" (and {MoreErrors} more errors)" : "");
}
