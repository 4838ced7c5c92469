using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Grains;

/// <summary>Configuration section <c>Exemplars</c>.</summary>
public sealed class ExemplarStorageOptions : IValidatableObject
{
    public const string SectionName = "Exemplars";

    /// <summary>Ring capacity of each metric grain; 0 disables exemplar storage (as Prometheus' max_exemplars: 0).</summary>
    // The bound keeps one grain's answer to query_exemplars (its ring as JSON, ~120-140 B per exemplar) and its stored
    // snapshot under Orleans' 100 MB message limit; a metric that needs more is sharded (Sharding:Metrics).
    [Range(0, MaxCapacity, ErrorMessage = "Exemplars:MaxExemplarsPerMetric must be between {1} and {2}; shard a metric that needs more (Sharding:Metrics).")]
    public int MaxExemplarsPerMetric { get; set; } = 10_000;

    /// <summary>
    /// The silo's exemplar budget: once the rings of its active metric grains hold more, the rings holding the oldest
    /// exemplars give them back until 90 % of it is used (one ring across metrics, as Prometheus has one ring per
    /// server; Mimir's per-tenant limit is the cluster-wide analogue: budget × silos). 0: no budget.
    /// </summary>
    [Range(0L, long.MaxValue, ErrorMessage = "Exemplars:MaxExemplarsPerSilo must be 0 (no budget) or more.")]
    public long MaxExemplarsPerSilo { get; set; } = 10_000_000;

    /// <summary>Upper bound of <see cref="MaxExemplarsPerMetric"/>.</summary>
    public const int MaxCapacity = 500_000;

    /// <summary>How often a changed ring is written to grain storage (write-behind); also written on deactivation.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Exemplars:PersistInterval must be between {1} and {2}.")]
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a metric grain (a metric, or one shard of a sharded metric) may go without a stored exemplar before the
    /// catalog forgets it: it leaves the catalog (names, shards, label index), its stored ring is deleted and its WAL
    /// records are no longer replayed, so it is neither queried nor kept; exemplars arriving later register it as new.
    /// 0 (the default) keeps every metric for ever. See <see cref="Catalog.CatalogRetention"/> for the timing.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;

    /// <summary>Least non-zero <see cref="Retention"/>; values under a minute are for tests.</summary>
    public static readonly TimeSpan MinRetention = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Retention != TimeSpan.Zero && (Retention < MinRetention || Retention > Catalog.CatalogRetention.MaxRetention))
        {
            yield return new ValidationResult(
                $"Exemplars:Retention must be 0 (keep every metric) or between {MinRetention:c} and {Catalog.CatalogRetention.MaxRetention:c}.");
        }
    }
}
