using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Hosting.Health;

/// <summary>
/// Configuration section <c>Health</c> of both hosts: how long one readiness probe of a dependency may take and how
/// long its answer is reused, so that frequent probes (Kubernetes, compose, load balancers) do not hammer Kafka, the
/// storage or the TSDB.
/// </summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>Longest one dependency check may take; past it the check is unhealthy ("timed out").</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "Health:Timeout must be between {1} and {2}.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a check's result is reused before the dependency is asked again (0: every probe asks).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Health:CacheDuration must be between {1} and {2}.")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}
