using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.GrainInterfaces.Configuration;

/// <summary>
/// Configuration section <c>Cluster</c>: the Orleans cluster's identity and ports, read by the silo (which listens on
/// them) and by the API host (which connects to the gateway). Not <c>Orleans</c>: Orleans reads that section itself.
/// </summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Cluster";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ClusterId must not be empty.")]
    public string ClusterId { get; set; } = "orleans-exemplars";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ServiceId must not be empty.")]
    public string ServiceId { get; set; } = "orleans-exemplars";

    /// <summary><c>Localhost</c>: a single-node cluster on loopback, nothing external needed.</summary>
    [RegularExpression("^(?i:localhost)$", ErrorMessage = "Cluster:Clustering must be \"Localhost\".")]
    public string Clustering { get; set; } = "Localhost";

    /// <summary>Silo-to-silo port (silo only).</summary>
    [Range(1, 65535, ErrorMessage = "Cluster:SiloPort must be between {1} and {2}.")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Cluster:GatewayPort must be between {1} and {2}.")]
    public int GatewayPort { get; set; } = 30000;
}
