using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Configuration section <c>Ingest</c>: length limits on ingested series (<see cref="SeriesLimits"/>), applied by the
/// API host to <c>/api/v1/write</c> and by the silos to Kafka messages. Give every process the same values.
/// </summary>
public sealed class IngestLimitsOptions
{
    public const string SectionName = "Ingest";

    /// <summary>The largest value any grain storage can take (the file storage hashes long keys); Azure Blob takes less.</summary>
    public const int MaxConfigurableMetricNameLength = 16384;

    /// <summary>
    /// Longest metric name accepted. The default is the longest one whose grains Azure Blob can store
    /// (<see cref="SeriesLimits.StorableMetricNameLength"/>); a silo on Azure Blob grain storage refuses to start with more.
    /// </summary>
    [Range(1, MaxConfigurableMetricNameLength, ErrorMessage = "Ingest:MaxMetricNameLength must be between {1} and {2}.")]
    public int MaxMetricNameLength { get; set; } = SeriesLimits.StorableMetricNameLength;

    [Range(1, 1 << 20, ErrorMessage = "Ingest:MaxLabelNameLength must be between {1} and {2}.")]
    public int MaxLabelNameLength { get; set; } = SeriesLimits.DefaultMaxLabelNameLength;

    [Range(1, 1 << 24, ErrorMessage = "Ingest:MaxLabelValueLength must be between {1} and {2}.")]
    public int MaxLabelValueLength { get; set; } = SeriesLimits.DefaultMaxLabelValueLength;

    public SeriesLimits ToLimits() => new(MaxMetricNameLength, MaxLabelNameLength, MaxLabelValueLength);
}
