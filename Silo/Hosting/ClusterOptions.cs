using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Silo.Hosting;

/// <summary>Configuration section <c>Cluster</c>: how this silo finds its cluster.</summary>
public sealed class SiloClusterOptions
{
    public const string SectionName = "Cluster";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ClusterId must not be empty.")]
    public string ClusterId { get; set; } = "orleans-exemplars";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ServiceId must not be empty.")]
    public string ServiceId { get; set; } = "orleans-exemplars";

    /// <summary><c>Localhost</c>: a single-node cluster on loopback, nothing external needed.</summary>
    [RegularExpression("^(?i:localhost)$", ErrorMessage = "Cluster:Clustering must be \"Localhost\".")]
    public string Clustering { get; set; } = "Localhost";

    [Range(1, 65535, ErrorMessage = "Cluster:SiloPort must be between {1} and {2}.")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Cluster:GatewayPort must be between {1} and {2}.")]
    public int GatewayPort { get; set; } = 30000;
}
