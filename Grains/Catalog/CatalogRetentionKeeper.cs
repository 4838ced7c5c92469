using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains.Catalog;

/// <summary>
/// With <c>Exemplars:Retention</c>, keeps every catalog shard active so its sweep runs: shards activate on demand, and
/// one whose silo left (or that a cluster restart has not needed yet) would otherwise keep idle metrics' rings in
/// storage until something asks it. Each silo wakes all shards at start and then once per sweep interval (at most a
/// minute apart); a wake-up of an active shard costs one call.
/// </summary>
public sealed class CatalogRetentionKeeper(
    IOptions<ExemplarStorageOptions> options,
    IGrainFactory grains,
    ILogger<CatalogRetentionKeeper> logger) : SiloBackgroundLoop
{
    protected override bool Enabled => options.Value.Retention > TimeSpan.Zero;

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var interval = CatalogRetention.SweepInterval(options.Value.Retention);
        if (interval > TimeSpan.FromMinutes(1)) interval = TimeSpan.FromMinutes(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, MetricCatalog.ShardCount)
                    .Select(i => grains.GetGrain<IMetricCatalogGrain>(i).WakeAsync()));
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogDebug(e, "Could not wake every metric catalog shard; trying again in {Interval}", interval);
            }
            try
            {
                await Task.Delay(interval, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
