using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Grains;

/// <summary>Configuration section <c>Exemplars</c>.</summary>
public sealed class ExemplarStorageOptions
{
    public const string SectionName = "Exemplars";

    /// <summary>Ring capacity of each metric grain; 0 disables exemplar storage (as Prometheus' max_exemplars: 0).</summary>
    [Range(0, 10_000_000, ErrorMessage = "Exemplars:MaxExemplarsPerMetric must be between {1} and {2}.")]
    public int MaxExemplarsPerMetric { get; set; } = 10_000;

    /// <summary>How often a changed ring is written to grain storage (write-behind); also written on deactivation.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Exemplars:PersistInterval must be between {1} and {2}.")]
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(10);
}
