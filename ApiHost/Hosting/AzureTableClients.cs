using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;
using OrleansExemplars.GrainInterfaces.Configuration;

namespace OrleansExemplars.ApiHost.Hosting;

/// <summary>
/// The API host's client of the membership table (it reads the gateway list there): from a connection string, or from
/// a service URI with <c>DefaultAzureCredential</c> (<c>Azure:*</c>). The silo's <c>AzureStorageClients</c> follow the
/// same rules; the API host does not reference the silo, hence the twin.
/// </summary>
public static class AzureTableClients
{
    /// <summary><c>DefaultAzureCredential</c> from <c>Azure:*</c>, validated (naming the key) first.</summary>
    public static DefaultAzureCredential CreateCredential(IConfiguration configuration)
    {
        var settings = configuration.GetSection(AzureCredentialSettings.SectionName).Get<AzureCredentialSettings>() ?? new AzureCredentialSettings();
        OptionsValidation.ThrowIfInvalid(settings);
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = NullIfEmpty(settings.ManagedIdentityClientId),
            TenantId = NullIfEmpty(settings.TenantId),
        });
    }

    /// <param name="credential">Asked for only when the settings name a service URI.</param>
    public static TableServiceClient CreateTableServiceClient(AzureTableClusteringSettings settings, Func<TokenCredential> credential,
        TableClientOptions? options = null)
    {
        const string section = AzureTableClusteringSettings.SectionName;
        if (settings.UsesServiceUri)
        {
            var uri = AzureStorageEndpoint.TryParseServiceUri(settings.ServiceUri)
                ?? throw new OptionsValidationException(section, typeof(AzureTableClusteringSettings), [$"{section}:ServiceUri must be an absolute https URI."]);
            return new TableServiceClient(uri, credential(), options);
        }
        try
        {
            return new TableServiceClient(settings.ConnectionString, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The connection string holds the account key: name the key, never echo the value.
            throw new OptionsValidationException(nameof(AzureTableClusteringSettings), typeof(AzureTableClusteringSettings),
                [$"{section}:ConnectionString is not a valid Azure Storage connection string ({e.GetType().Name})."]);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
