using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansExemplars.Grains.Catalog;

/// <summary>What the catalog shards active on this silo hold, and what their retention forgot.</summary>
public sealed class CatalogMetrics
{
    private readonly ConcurrentDictionary<long, int> _names = new();
    private readonly Counter<long> _expired;

    public CatalogMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(IngestMetrics.MeterName);
        meter.CreateObservableGauge("oe_catalog_metrics", () => _names.Values.Sum(),
            description: "Metric names the catalog shards active on this silo list (summed over silos: the cluster's catalogued metrics).");
        _expired = meter.CreateCounter<long>("oe_catalog_metrics_expired",
            description: "Metric grains (a metric, or one shard of a sharded metric) the catalog forgot after Exemplars:Retention without exemplars.");
        _expired.Add(0);
    }

    /// <summary>Catalog shard <paramref name="shard"/> lists <paramref name="names"/> metric names now.</summary>
    public void Names(long shard, int names) => _names[shard] = names;

    /// <summary>The shard's activation ended here.</summary>
    public void Left(long shard) => _names.TryRemove(shard, out _);

    public void Expired(int grainKeys)
    {
        if (grainKeys > 0) _expired.Add(grainKeys);
    }
}
