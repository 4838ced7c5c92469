using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Grains;

/// <summary>Configuration section <c>Exemplars</c>.</summary>
public sealed class ExemplarStorageOptions
{
    public const string SectionName = "Exemplars";

    /// <summary>Ring capacity of each metric grain; 0 disables exemplar storage (as Prometheus' max_exemplars: 0).</summary>
    [Range(0, 10_000_000, ErrorMessage = "Exemplars:MaxExemplarsPerMetric must be between {1} and {2}.")]
    public int MaxExemplarsPerMetric { get; set; } = 10_000;
}
