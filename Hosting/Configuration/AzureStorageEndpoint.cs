using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// The rule every Azure Storage component (the membership table, the grain-storage blobs) follows: it is reached
/// either by a connection string (account key or SAS; Azurite) or by a service URI with a Microsoft Entra token from
/// <c>DefaultAzureCredential</c> (<see cref="AzureCredentialOptions"/>), never both. Messages name the keys, never
/// the values (a connection string holds the account key).
/// </summary>
public static class AzureStorageEndpoint
{
    /// <param name="section">The component's section, e.g. <c>Clustering:AzureTable</c>.</param>
    /// <param name="service"><c>table</c> or <c>blob</c>: names the expected host in the message.</param>
    public static IEnumerable<ValidationResult> Validate(string section, string? connectionString, string? serviceUri, string service)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        var hasServiceUri = !string.IsNullOrWhiteSpace(serviceUri);
        if (hasConnectionString && hasServiceUri)
        {
            yield return new ValidationResult(
                $"{section}:ConnectionString and {section}:ServiceUri are alternatives: set one of them, not both.",
                ["ConnectionString", "ServiceUri"]);
        }
        if (hasServiceUri && TryParseServiceUri(serviceUri) is null)
        {
            yield return new ValidationResult(
                $"{section}:ServiceUri must be the absolute https URI of the {service} service, e.g. " +
                $"https://<account>.{service}.core.windows.net, without user info, query (no SAS: use {section}:ConnectionString " +
                "for one) or fragment. Tokens are only ever sent over https.",
                ["ServiceUri"]);
        }
    }

    /// <summary>The service URI, or null if it is not an absolute https URI without user info, query or fragment.</summary>
    public static Uri? TryParseServiceUri(string? serviceUri)
    {
        if (!Uri.TryCreate(serviceUri?.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host)) return null;
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0) return null;
        return uri;
    }
}
