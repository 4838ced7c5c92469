using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// How long the names and values of an ingested series may be (in characters: UTF-16 code units, so a character
/// outside the Basic Multilingual Plane counts two), and which names it may have (<paramref name="NameValidation"/>:
/// any UTF-8, or Prometheus 2's character sets for the metric name and the series' label names). A series over a
/// limit or with a name the scheme refuses is refused at ingest, on every path, like any invalid series: the rest of
/// its request or message is kept.
/// </summary>
public sealed record SeriesLimits(int MaxMetricNameLength, int MaxLabelNameLength, int MaxLabelValueLength,
    NameValidationScheme NameValidation = NameValidationScheme.Utf8)
{
    /// <summary>Azure Blob's limit on a blob name, in characters.</summary>
    public const int AzureBlobNameLength = 1024;

    /// <summary>Azure Blob's limit on the '/'-separated segments of a blob name (accounts without a hierarchical namespace).</summary>
    public const int AzureBlobNameSegments = 254;

    /// <summary>
    /// Longest metric name whose grains can be stored in Azure Blob. Orleans' blob grain storage names a grain's blob
    /// <c>{state}-{grain id}.json</c>; a metric grain's ring is state <c>ring</c> and its grain id is
    /// <c>metric/{key}</c>, the key being the name or, for a shard of a hot metric, <c>{name}#{k}</c> with k below
    /// 1 024. So 1 024 − "ring-metric/".Length − "#1023".Length − ".json".Length = 1 002 (checked against Azurite by
    /// the storage tests).
    /// </summary>
    public const int StorableMetricNameLength = AzureBlobNameLength - 12 - 5 - 5;

    /// <summary>
    /// Most '/' a metric name may hold: its blob name has one more (after "metric"), and a name has one segment more
    /// than it has '/'.
    /// </summary>
    public const int MaxMetricNameSlashes = AzureBlobNameSegments - 2;

    public const int DefaultMaxLabelNameLength = 1024;

    /// <summary>VictoriaMetrics' <c>-maxLabelValueLen</c> default: what it would store unchanged, we accept.</summary>
    public const int DefaultMaxLabelValueLength = 16384;

    public static readonly SeriesLimits Default =
        new(StorableMetricNameLength, DefaultMaxLabelNameLength, DefaultMaxLabelValueLength);

    /// <summary>No length limit: for re-reading requests that were validated at ingest already.</summary>
    public static readonly SeriesLimits Unlimited = new(int.MaxValue, int.MaxValue, int.MaxValue);
}
