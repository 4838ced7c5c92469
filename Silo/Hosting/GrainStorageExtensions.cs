using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansExemplars.Grains;
using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Silo.Storage;

namespace OrleansExemplars.Silo.Hosting;

public static class GrainStorageExtensions
{
    /// <summary>
    /// The grain storage <see cref="StorageNames.Exemplars"/> that holds rings and catalogs, chosen by
    /// <c>Storage:Provider</c>: Azure Blob when <c>Storage:AzureBlob:ConnectionString</c> or <c>ServiceUri</c> is set, local files
    /// (<c>Storage:File:*</c>) otherwise, memory only when asked for. Every provider stores Orleans' binary
    /// serialization: a ring is a byte array, which JSON would inflate by a third (base64) plus field names.
    /// </summary>
    public static ISiloBuilder AddExemplarGrainStorage(this ISiloBuilder silo)
    {
        // Read now, not at start: it decides which services exist.
        var settings = OptionsValidation.GetValidated<GrainStorageOptions>(silo.Configuration, GrainStorageOptions.SectionName);

        silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(StorageNames.Exemplars,
            (services, _) => new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()));
        silo.Services.TryAddSingleton<GrainStorageMetrics>();

        switch (settings.EffectiveProvider)
        {
            case GrainStorageProvider.AzureBlob:
                // A longer metric name would make a grain whose ring Azure Blob cannot name: refused at start, not
                // at the first write (which would fail for good and keep the WAL from ever truncating).
                silo.Services.AddOptions<IngestLimitsOptions>().Validate(
                    limits => limits.MaxMetricNameLength <= SeriesLimits.StorableMetricNameLength,
                    $"Ingest:MaxMetricNameLength must be at most {SeriesLimits.StorableMetricNameLength} with Azure Blob " +
                    "grain storage: a ring's blob name is \"ring-metric/<name>#<shard>.json\", at most " +
                    $"{SeriesLimits.AzureBlobNameLength} characters.");
                // Built now, as the membership table's client is: a malformed setting stops start-up naming its key.
                var blobs = AzureBlobClients.CreateBlobServiceClient(settings.AzureBlob,
                    () => AzureStorageClients.GetOrAddCredential(silo.Services, silo.Configuration));
                silo.AddAzureBlobGrainStorage(StorageNames.Exemplars, (OptionsBuilder<AzureBlobStorageOptions> options) =>
                    options.Configure<IServiceProvider>((o, services) =>
                    {
                        o.BlobServiceClient = blobs;
                        o.ContainerName = settings.AzureBlob.ContainerName;
                        // A ring forgotten after Exemplars:Retention is deleted, not kept as an empty blob (the
                        // provider's default, stated so it cannot change under us).
                        o.DeleteStateOnClear = true;
                        // Blobs written before the switch to binary are JSON (Orleans' default): still readable, and
                        // rewritten as binary on the next write.
                        o.GrainStorageSerializer = new DecodingGrainStorageSerializer(new GrainStorageSerializer(
                            services.GetRequiredKeyedService<IGrainStorageSerializer>(StorageNames.Exemplars),
                            services.GetRequiredService<IGrainStorageSerializer>()));
                    }));
                silo.Services.AddQuarantine(StorageNames.Exemplars, (services, _) => new BlobGrainStateQuarantine(
                    services.GetRequiredService<IOptionsMonitor<AzureBlobStorageOptions>>(), StorageNames.Exemplars));
                break;
            case GrainStorageProvider.Memory:
                // Nothing survives a restart; for benchmarks and throw-away runs that should not touch the disk.
                silo.AddMemoryGrainStorage(StorageNames.Exemplars);
                break;
            default:
                silo.Services.AddOptions<FileGrainStorageOptions>(StorageNames.Exemplars)
                    .Bind(silo.Configuration.GetSection(FileGrainStorageOptions.SectionName))
                    .ValidateDataAnnotations()
                    .ValidateOnStart();
                silo.Services.AddGrainStorage(StorageNames.Exemplars, CreateFileGrainStorage);
                silo.Services.AddQuarantine(StorageNames.Exemplars, (_, storage) => (FileGrainStorage)storage);
                break;
        }
        return silo;
    }

    /// <summary>
    /// Wraps the grain storage <paramref name="name"/> registered before in a <see cref="QuarantiningGrainStorage"/>, so
    /// a stored state that does not decode is set aside rather than failing its grain's every activation. The wrapper
    /// takes the registration's place (and its silo lifecycle participation, which it hands on).
    /// </summary>
    private static void AddQuarantine(this IServiceCollection services, string name,
        Func<IServiceProvider, IGrainStorage, IGrainStateQuarantine> quarantine)
    {
        var registered = services.Last(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(IGrainStorage));
        var create = registered.KeyedImplementationFactory
                     ?? throw new InvalidOperationException($"grain storage '{name}' is not registered by a factory");
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) =>
        {
            var inner = (IGrainStorage)create(sp, key);
            return new QuarantiningGrainStorage(name, inner, quarantine(sp, inner), sp.GetRequiredService<IActivatorProvider>(),
                sp.GetRequiredService<GrainStorageMetrics>(), sp.GetRequiredService<ILogger<QuarantiningGrainStorage>>());
        });
    }

    private static FileGrainStorage CreateFileGrainStorage(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(name);
        // Relative to the content root, as appsettings.json is, rather than to whatever the working directory is.
        var contentRoot = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Environment.CurrentDirectory;
        return new FileGrainStorage(
            name,
            System.IO.Path.GetFullPath(options.Directory, contentRoot),
            new DecodingGrainStorageSerializer(services.GetRequiredKeyedService<IGrainStorageSerializer>(name)),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<FileGrainStorage>>());
    }
}
