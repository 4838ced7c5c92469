using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Grains;

/// <summary>Configuration section <c>Exemplars</c>.</summary>
public sealed class ExemplarStorageOptions
{
    public const string SectionName = "Exemplars";

    /// <summary>Ring capacity of each metric grain; 0 disables exemplar storage (as Prometheus' max_exemplars: 0).</summary>
    // The bound keeps one grain's answer to query_exemplars (its ring as JSON, ~120-140 B per exemplar) and its stored
    // snapshot under Orleans' 100 MB message limit; a metric that needs more is sharded (Sharding:Metrics).
    [Range(0, MaxCapacity, ErrorMessage = "Exemplars:MaxExemplarsPerMetric must be between {1} and {2}; shard a metric that needs more (Sharding:Metrics).")]
    public int MaxExemplarsPerMetric { get; set; } = 10_000;

    /// <summary>Upper bound of <see cref="MaxExemplarsPerMetric"/>.</summary>
    public const int MaxCapacity = 500_000;

    /// <summary>How often a changed ring is written to grain storage (write-behind); also written on deactivation.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Exemplars:PersistInterval must be between {1} and {2}.")]
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(10);
}
