using Azure.Storage.Blobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansExemplars.Grains;
using OrleansExemplars.Hosting.Health;
using OrleansExemplars.Silo.Storage;

namespace OrleansExemplars.Silo.Health;

/// <summary>
/// Readiness: the grain storage that holds rings and catalogs (<c>Storage:*</c>) takes a write. Azure Blob: a small
/// blob is written to the container and deleted again, through the very client the storage provider was configured
/// with (connection string or credential alike). Files: a file is written, flushed and deleted in the storage root.
/// Memory: nothing to reach. Without a writable storage, write-behind fails and the WAL can never shrink.
/// </summary>
internal sealed class GrainStorageHealthCheck(
    IConfiguration configuration,
    IServiceProvider services,
    IHostEnvironment environment,
    HealthProbeCache cache) : IHealthCheck
{
    public const string Name = "grain-storage";

    /// <summary>One probe name per process: silos sharing a container or directory do not trip over each other.</summary>
    private static readonly string ProbeName = $".oe-health-probe-{Environment.MachineName}-{Environment.ProcessId}";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        cache.GetAsync(context.Registration.Name, ProbeAsync, cancellationToken);

    private Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var settings = configuration.GetSection(GrainStorageOptions.SectionName).Get<GrainStorageOptions>() ?? new GrainStorageOptions();
        return settings.EffectiveProvider switch
        {
            GrainStorageProvider.AzureBlob => ProbeBlobAsync(cancellationToken),
            GrainStorageProvider.Memory => Task.FromResult(HealthCheckResult.Healthy("memory grain storage (Storage:Provider=Memory): nothing to reach")),
            _ => ProbeFileAsync(cancellationToken),
        };
    }

    private async Task<HealthCheckResult> ProbeBlobAsync(CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptionsMonitor<AzureBlobStorageOptions>>().Get(StorageNames.Exemplars);
        if (options.BlobServiceClient is not BlobServiceClient client)
        {
            // Only ConfigureBlobServiceClient(Func<Task<BlobServiceClient>>) leaves the property empty; nothing here uses it.
            return HealthCheckResult.Healthy("Azure Blob grain storage with a client made by a callback: not probed");
        }
        var blob = client.GetBlobContainerClient(options.ContainerName).GetBlobClient(ProbeName);
        await blob.UploadAsync(BinaryData.FromString(DateTimeOffset.UtcNow.ToString("O")), overwrite: true, cancellationToken);
        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        var data = new Dictionary<string, object> { ["account"] = client.AccountName, ["container"] = options.ContainerName };
        return HealthCheckResult.Healthy($"Azure Blob container '{options.ContainerName}' of '{client.AccountName}' takes writes", data);
    }

    private async Task<HealthCheckResult> ProbeFileAsync(CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(StorageNames.Exemplars);
        var root = Path.GetFullPath(options.Directory, environment.ContentRootPath);
        await WritableDirectory.ProbeAsync(root, ProbeName, cancellationToken);
        var data = new Dictionary<string, object> { ["directory"] = root };
        return HealthCheckResult.Healthy($"grain storage directory {root} is writable", data);
    }
}
