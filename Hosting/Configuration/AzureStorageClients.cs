using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Configuration;

/// <summary>
/// The hosts' Azure Storage clients: from a connection string (account key, SAS, Azurite), or from a service URI with
/// the one <see cref="TokenCredential"/> of the host (<c>DefaultAzureCredential</c>, <c>Azure:*</c>). Built while the
/// host is built, so a malformed setting stops start-up naming its key, never echoing its value. The membership table
/// is here (both hosts read it); the silo's grain-storage blobs use the same rules (<c>AzureBlobClients</c>).
/// </summary>
public static class AzureStorageClients
{
    /// <summary>
    /// The credential registered in <paramref name="services"/>, or a new <c>DefaultAzureCredential</c> from <c>Azure:*</c>
    /// registered there: one per host, so the table and the blob clients share its token cache. A caller that has
    /// registered a <see cref="TokenCredential"/> instance first (another identity library, a test) gets that one.
    /// </summary>
    public static TokenCredential GetOrAddCredential(IServiceCollection services, IConfiguration configuration)
    {
        var registered = services.LastOrDefault(d => !d.IsKeyedService && d.ServiceType == typeof(TokenCredential))?.ImplementationInstance;
        if (registered is TokenCredential credential) return credential;
        credential = CreateCredential(OptionsValidation.GetValidated<AzureCredentialOptions>(configuration, AzureCredentialOptions.SectionName));
        services.AddSingleton(credential);
        return credential;
    }

    /// <summary><c>DefaultAzureCredential</c>: environment, workload identity (AKS), managed identity (Container Apps, VMs), then developer tools.</summary>
    public static DefaultAzureCredential CreateCredential(AzureCredentialOptions settings) => new(new DefaultAzureCredentialOptions
    {
        ManagedIdentityClientId = NullIfEmpty(settings.ManagedIdentityClientId),
        TenantId = NullIfEmpty(settings.TenantId),
    });

    /// <param name="credential">Asked for only when the settings name a service URI.</param>
    public static TableServiceClient CreateTableServiceClient(AzureTableClusteringOptions settings, Func<TokenCredential> credential,
        TableClientOptions? options = null)
    {
        const string section = AzureTableClusteringOptions.SectionName;
        if (settings.UsesServiceUri)
        {
            return new TableServiceClient(ServiceUri(section, settings.ServiceUri), credential(), options);
        }
        try
        {
            return new TableServiceClient(settings.ConnectionString, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw InvalidConnectionString<AzureTableClusteringOptions>(section, e);
        }
    }

    /// <summary>The validated service URI of <paramref name="section"/>'s <c>ServiceUri</c>.</summary>
    public static Uri ServiceUri(string section, string? value) =>
        // Validated with the settings already; checked again so no caller can send a token over http.
        AzureStorageEndpoint.TryParseServiceUri(value)
        ?? throw new OptionsValidationException(section, typeof(AzureStorageClients), [$"{section}:ServiceUri must be an absolute https URI."]);

    /// <summary>
    /// The error for a connection string the Azure client refused. It holds the account key: name the key, never
    /// echo the value.
    /// </summary>
    public static OptionsValidationException InvalidConnectionString<T>(string section, Exception e) =>
        new(typeof(T).Name, typeof(T), [$"{section}:ConnectionString is not a valid Azure Storage connection string ({e.GetType().Name})."]);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
