using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace OrleansExemplars.GrainInterfaces.Sharding;

/// <summary>
/// Configuration section <c>Sharding</c>, read by every router (API host and silos) and by the metric grains. Every
/// process must be given the same values: the shard of a series is computed by whoever routes it.
/// </summary>
public sealed class ShardingOptions : IValidatableObject
{
    public const string SectionName = "Sharding";

    /// <summary>Most shards one metric may be spread over.</summary>
    public const int MaxShards = 1024;

    /// <summary>Metrics sharded by configuration; the first entry whose pattern matches the whole name wins.</summary>
    public List<ShardPattern> Metrics { get; set; } = [];

    /// <summary>
    /// A metric not matched by <see cref="Metrics"/> whose unsharded grain holds more series than this is spread over
    /// <see cref="AutoShards"/> grains from then on. 0 turns automatic sharding off.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "Sharding:AutoSeriesThreshold must be 0 (off) or more.")]
    public int AutoSeriesThreshold { get; set; }

    [Range(2, MaxShards, ErrorMessage = "Sharding:AutoShards must be between {1} and {2}.")]
    public int AutoShards { get; set; } = 8;

    /// <summary>
    /// How often routers re-read automatically chosen shard counts from the catalog. Until they do, they keep sending
    /// to the unsharded grain, which stays correct (it is still queried); the delay only postpones the relief.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Sharding:RefreshInterval must be between {1} and {2}.")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Metrics.Count; i++)
        {
            var entry = Metrics[i];
            if (string.IsNullOrEmpty(entry.Match))
            {
                yield return new ValidationResult($"Sharding:Metrics:{i}:Match must be a metric name or a regular expression.");
                continue;
            }
            if (entry.Shards is < 1 or > MaxShards)
            {
                yield return new ValidationResult($"Sharding:Metrics:{i}:Shards must be between 1 and {MaxShards}.");
            }
            string? error = null;
            try
            {
                _ = ShardPattern.Compile(entry.Match);
            }
            catch (ArgumentException e)
            {
                error = $"Sharding:Metrics:{i}:Match is not a valid regular expression: {e.Message}";
            }
            if (error is not null) yield return new ValidationResult(error);
        }
    }
}

/// <summary>One <c>Sharding:Metrics:&lt;i&gt;</c> entry.</summary>
public sealed class ShardPattern
{
    /// <summary>A metric name, or a .NET regular expression anchored at both ends as Prometheus anchors <c>=~</c>.</summary>
    public string Match { get; set; } = "";

    /// <summary>Grains the matching metrics are spread over; 1 pins a metric unsharded (automatic sharding included).</summary>
    public int Shards { get; set; } = 1;

    public static Regex Compile(string match) =>
        new($"^(?:{match})$", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
}
