using Azure.Core;
using Azure.Storage.Blobs;
using OrleansExemplars.Hosting.Configuration;

namespace OrleansExemplars.Silo.Storage;

/// <summary>The silo's grain-storage blob client, by the rules of <see cref="AzureStorageClients"/>.</summary>
public static class AzureBlobClients
{
    /// <param name="credential">Asked for only when the settings name a service URI.</param>
    public static BlobServiceClient CreateBlobServiceClient(GrainStorageOptions.AzureBlobOptions settings, Func<TokenCredential> credential,
        BlobClientOptions? options = null)
    {
        const string section = GrainStorageOptions.SectionName + ":" + nameof(GrainStorageOptions.AzureBlob);
        if (settings.UsesServiceUri)
        {
            return new BlobServiceClient(AzureStorageClients.ServiceUri(section, settings.ServiceUri), credential(), options);
        }
        try
        {
            return new BlobServiceClient(settings.ConnectionString, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw AzureStorageClients.InvalidConnectionString<GrainStorageOptions>(section, e);
        }
    }
}
