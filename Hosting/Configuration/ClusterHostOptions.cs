using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// Configuration section <c>Cluster</c>: the Orleans cluster's identity, ports and membership timing, read by the silo
/// (which listens on them) and by the API host (which connects to the gateway). Not <c>Orleans</c>: Orleans reads that
/// section itself.
/// </summary>
public sealed class ClusterHostOptions : IValidatableObject
{
    public const string SectionName = "Cluster";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ClusterId must not be empty.")]
    public string ClusterId { get; set; } = "orleans-exemplars";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:ServiceId must not be empty.")]
    public string ServiceId { get; set; } = "orleans-exemplars";

    /// <summary>
    /// <c>Auto</c>: Azure Table membership when <c>Clustering:AzureTable:ConnectionString</c> or <c>ServiceUri</c> is set, else
    /// <c>Localhost</c> (a single-node cluster on loopback, nothing external needed). <c>Localhost</c> and
    /// <c>AzureTable</c> force one; <c>AzureTable</c> then requires one of them.
    /// </summary>
    [RegularExpression("^(?i:auto|localhost|azuretable)$",
        ErrorMessage = "Cluster:Clustering must be \"Auto\", \"Localhost\" or \"AzureTable\".")]
    public string Clustering { get; set; } = "Auto";

    /// <summary>Silo-to-silo port (silo only).</summary>
    [Range(1, 65535, ErrorMessage = "Cluster:SiloPort must be between {1} and {2}.")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Cluster:GatewayPort must be between {1} and {2}.")]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address a silo publishes in the membership table and listens on (silo only, Azure Table clustering; the
    /// localhost mode always uses loopback). Loopback lets several silos share one machine on distinct ports; a
    /// multi-machine cluster needs each machine's own reachable address here, or <c>Auto</c>: the machine's first
    /// non-loopback address, listening on every interface (containers, whose address is known only at run time).
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Cluster:AdvertisedIPAddress must not be empty.")]
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Initial timeout of one liveness probe (Orleans adapts it between half and four times this). With
    /// <see cref="NumMissedProbesLimit"/> it sets how fast a crashed silo is declared dead and its grains move.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00", ErrorMessage = "Cluster:ProbeTimeout must be between {1} and {2}.")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Missed probes after which a silo votes the probed silo dead (silo only).</summary>
    [Range(1, 10, ErrorMessage = "Cluster:NumMissedProbesLimit must be between {1} and {2}.")]
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>The membership to use; throws, naming the keys, when <c>AzureTable</c> is demanded without an account.</summary>
    public ClusteringMode ResolveMode(AzureTableClusteringOptions azureTable)
    {
        var mode = Clustering.ToLowerInvariant() switch
        {
            "localhost" => ClusteringMode.Localhost,
            "azuretable" => ClusteringMode.AzureTable,
            _ => azureTable.IsConfigured ? ClusteringMode.AzureTable : ClusteringMode.Localhost,
        };
        if (mode == ClusteringMode.AzureTable && !azureTable.IsConfigured)
        {
            throw new OptionsValidationException(nameof(AzureTableClusteringOptions), typeof(AzureTableClusteringOptions),
                ["Clustering:AzureTable:ConnectionString or Clustering:AzureTable:ServiceUri must be set when Cluster:Clustering is \"AzureTable\"."]);
        }
        return mode;
    }

    /// <summary><see cref="AdvertisedIPAddress"/> is <c>Auto</c>.</summary>
    public bool IsAutoAddress => string.Equals(AdvertisedIPAddress, "Auto", StringComparison.OrdinalIgnoreCase);

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!IsAutoAddress && !IPAddress.TryParse(AdvertisedIPAddress, out _))
        {
            yield return new ValidationResult($"Cluster:AdvertisedIPAddress '{AdvertisedIPAddress}' is not an IP address (or Auto).",
                [nameof(AdvertisedIPAddress)]);
        }
    }
}

public enum ClusteringMode
{
    Localhost,
    AzureTable,
}
