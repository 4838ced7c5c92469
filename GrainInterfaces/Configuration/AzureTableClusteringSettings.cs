using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.GrainInterfaces.Configuration;

/// <summary>
/// Configuration section <c>Clustering:AzureTable</c>: cluster membership in an Azure Storage table (Azurite works),
/// read by the silos (which register there) and the API host (which finds the gateways there).
/// </summary>
public sealed class AzureTableClusteringSettings
{
    public const string SectionName = "Clustering:AzureTable";

    /// <summary>Empty: no Azure Table clustering (unless <c>Cluster:Clustering</c> demands it, which then fails).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Azure's table-name rule, checked here so a bad name stops start-up instead of the first table call.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$",
        ErrorMessage = "Clustering:AzureTable:TableName must be 3-63 letters or digits, starting with a letter.")]
    [Required(AllowEmptyStrings = false, ErrorMessage = "Clustering:AzureTable:TableName must not be empty.")]
    public string TableName { get; set; } = "OrleansSiloInstances";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);
}
