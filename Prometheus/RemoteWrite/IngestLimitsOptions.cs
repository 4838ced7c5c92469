using System.ComponentModel.DataAnnotations;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Configuration section <c>Ingest</c>: length limits and the name validation scheme of ingested series
/// (<see cref="SeriesLimits"/>), applied by the API host to <c>/api/v1/write</c> (and OTLP) and by the silos to Kafka
/// messages; the API host parses queries by the same scheme. Give every process the same values.
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

    /// <summary>
    /// <see cref="NameValidationScheme.Utf8"/> (Prometheus 3's default): any non-empty valid UTF-8 metric or label
    /// name, and queries may quote names (<c>{"http.server.request.duration"}</c>).
    /// <see cref="NameValidationScheme.Legacy"/>: Prometheus 2's character sets at ingest and its query grammar.
    /// </summary>
    [EnumDataType(typeof(NameValidationScheme), ErrorMessage = "Ingest:NameValidation must be Utf8 or Legacy.")]
    public NameValidationScheme NameValidation { get; set; } = NameValidationScheme.Utf8;

    public SeriesLimits ToLimits() => new(MaxMetricNameLength, MaxLabelNameLength, MaxLabelValueLength, NameValidation);
}
