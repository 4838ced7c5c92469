namespace OrleansExemplars.Prometheus.Json;

/// <summary>
/// What a <see cref="SeriesJsonBatch"/> carries besides the JSON. Both only serve merging answers of several grains, so
/// the API host asks for them only when it needs them: a one-grain answer is copied as it is, and grains of different
/// metrics never hold the same series (a series lives in a grain of its own metric name), so only grains of one
/// metric (its plain grain and shards) can need the per-exemplar index.
/// </summary>
[Flags]
[GenerateSerializer]
public enum SeriesJsonOptions
{
    JsonOnly = 0,

    /// <summary>The series' labels as sort keys: needed to merge the answers of more than one grain.</summary>
    Keys = 1,

    /// <summary>Per exemplar its timestamp, value bits, flag and fragment length: needed to combine a series found in several grains.</summary>
    ExemplarIndex = 2,
}
