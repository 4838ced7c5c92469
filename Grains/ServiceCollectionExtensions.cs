using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the grains need: validated <see cref="ExemplarStorageOptions"/>, <see cref="ShardingOptions"/>,
    /// <see cref="IngestLimitsOptions"/> (the Kafka receivers apply them) and
    /// <see cref="WalOptions"/>, the shard directory, the counters, the catalog's retention keeper, and the silo's
    /// exemplar WAL (opened and closed with the silo).
    /// </summary>
    public static IServiceCollection AddExemplarGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExemplarStorageOptions>()
            .Bind(configuration.GetSection(ExemplarStorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<WalOptions>()
            .Bind(configuration.GetSection(WalOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<IngestLimitsOptions>()
            .Bind(configuration.GetSection(IngestLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ShardingOptions>()
            .Bind(configuration.GetSection(ShardingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // One per silo: the metric grains ask it which names a pattern shards, the Kafka receivers route with it.
        services.AddSingleton<MetricShardDirectory>();
        services.AddMetrics();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<Budget.ExemplarBudget>();
        services.AddSingleton<Budget.ExemplarBudgetEnforcer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Budget.ExemplarBudgetEnforcer>());
        services.AddSingleton<Catalog.CatalogMetrics>();
        services.AddSingleton<Catalog.CatalogRetentionKeeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Catalog.CatalogRetentionKeeper>());
        services.AddSingleton<WalMetrics>();
        services.AddSingleton<SiloExemplarWal>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloExemplarWal>());
        return services;
    }
}
