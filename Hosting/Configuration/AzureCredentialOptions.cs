using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// Configuration section <c>Azure</c>: how <c>DefaultAzureCredential</c> picks its identity when a component is
/// configured by service URI (<c>Clustering:AzureTable:ServiceUri</c>, <c>Storage:AzureBlob:ServiceUri</c>). Unused
/// with connection strings. Read by the silo and the API host.
/// </summary>
public sealed partial class AzureCredentialOptions : IValidatableObject
{
    public const string SectionName = "Azure";

    /// <summary>
    /// Client id of a user-assigned managed identity; empty: the system-assigned identity (or whatever else
    /// <c>DefaultAzureCredential</c> finds: workload identity, environment, Azure CLI on a developer machine).
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Microsoft Entra tenant to authenticate in; empty: the credential's own default.</summary>
    public string? TenantId { get; set; }

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ManagedIdentityClientId) && !Guid.TryParse(ManagedIdentityClientId, out _))
        {
            yield return new ValidationResult("Azure:ManagedIdentityClientId must be a managed identity's client id (a GUID).",
                [nameof(ManagedIdentityClientId)]);
        }
        if (!string.IsNullOrWhiteSpace(TenantId) && !TenantPattern().IsMatch(TenantId))
        {
            yield return new ValidationResult("Azure:TenantId must be a tenant id (a GUID) or a tenant domain name.", [nameof(TenantId)]);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9.-]{1,253}$")]
    private static partial Regex TenantPattern();
}
