using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// Quarantine of Azure Blob grain storage: the damaged blob's bytes are uploaded to
/// <c>quarantine/&lt;blob name&gt;.&lt;UTC time&gt;</c> in the same container (same account, same permissions; no
/// grain's blob starts with that prefix, as blob names start with the state name), then the blob is deleted.
/// </summary>
public sealed class BlobGrainStateQuarantine(IOptionsMonitor<AzureBlobStorageOptions> options, string storageName) : IGrainStateQuarantine
{
    public const string Prefix = "quarantine/";

    public async Task<string> QuarantineAsync(string stateName, GrainId grainId, CorruptGrainStateException corruption,
        CancellationToken cancellationToken)
    {
        var settings = options.Get(storageName);
        var client = settings.BlobServiceClient
                     ?? throw new InvalidOperationException($"grain storage '{storageName}' has no blob service client to quarantine with");
        var container = client.GetBlobContainerClient(settings.ContainerName);
        var blobName = BlobName(stateName, grainId);
        var quarantined = $"{Prefix}{blobName}.{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N")[..8]}";
        await container.GetBlobClient(quarantined).UploadAsync(new BinaryData(corruption.StoredBytes), overwrite: false, cancellationToken);
        await container.GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        return $"blob '{quarantined}' in container '{container.Name}'";
    }

    /// <summary>
    /// The name Orleans' <c>AzureBlobGrainStorage</c> (10.4.2) gives a grain's state blob; its own method is private.
    /// Tests (CorruptStoredRingTests) check that the blob deleted here is the one that was read.
    /// </summary>
    public static string BlobName(string stateName, GrainId grainId) => $"{stateName}-{grainId}.json";
}
