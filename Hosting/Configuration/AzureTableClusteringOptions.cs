using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// Configuration section <c>Clustering:AzureTable</c>: cluster membership in an Azure Storage table (Azurite works),
/// read by the silos (which register there) and the API host (which finds the gateways there). The account is named
/// by exactly one of <see cref="ConnectionString"/> and <see cref="ServiceUri"/>.
/// </summary>
public sealed class AzureTableClusteringOptions : IValidatableObject
{
    public const string SectionName = "Clustering:AzureTable";

    /// <summary>
    /// Account key or SAS connection string (Azurite's too). Empty, and <see cref="ServiceUri"/> empty: no Azure Table
    /// clustering (unless <c>Cluster:Clustering</c> demands it, which then fails).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// <c>https://&lt;account&gt;.table.core.windows.net</c>: the table service reached with a Microsoft Entra token from
    /// <c>DefaultAzureCredential</c> (<c>Azure:*</c>), e.g. a managed identity with the Storage Table Data Contributor role.
    /// </summary>
    public string? ServiceUri { get; set; }

    /// <summary>Azure's table-name rule, checked here so a bad name stops start-up instead of the first table call.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$",
        ErrorMessage = "Clustering:AzureTable:TableName must be 3-63 letters or digits, starting with a letter.")]
    [Required(AllowEmptyStrings = false, ErrorMessage = "Clustering:AzureTable:TableName must not be empty.")]
    public string TableName { get; set; } = "OrleansSiloInstances";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(ServiceUri);

    /// <summary>True when the account is named by <see cref="ServiceUri"/> (token authentication).</summary>
    public bool UsesServiceUri => !string.IsNullOrWhiteSpace(ServiceUri);

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        AzureStorageEndpoint.Validate(SectionName, ConnectionString, ServiceUri, "table");
}
