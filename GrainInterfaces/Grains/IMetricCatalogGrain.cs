using System.Text;
using Orleans.Concurrency;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.Wire;

namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// One shard of the set of metric names that hold exemplars, so a query without a metric name can find the grains
/// to fan out to. Names are spread over <see cref="MetricCatalog.ShardCount"/> shards by a stable hash.
/// </summary>
public interface IMetricCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>The plain grain <c>name</c> stored exemplars.</summary>
    Task RegisterAsync(string metricName);

    /// <summary>Grain <c>name#shard</c> stored exemplars; queries of the metric ask it from now on.</summary>
    Task RegisterShardAsync(string metricName, int shard);

    /// <summary>
    /// Automatic sharding: the metric is spread over at least <paramref name="shards"/> grains from now on (the count
    /// only grows). Returns the count in force. Routers read it through <see cref="GetLayoutsAsync"/>.
    /// </summary>
    Task<int> RequestAutoShardsAsync(string metricName, int shards);

    /// <summary>
    /// The label names and values of grain <paramref name="grainKey"/>'s series: <paramref name="complete"/> replaces
    /// what the catalog knew (the grain's whole ring), otherwise they add to it. Kept in memory only: a catalog that lost
    /// them treats the grain as unknown, which every query asks, until its next complete report.
    /// </summary>
    Task IndexLabelsAsync(string grainKey, LabelValues values, bool complete);

    [AlwaysInterleave]
    Task<string[]> GetNamesAsync();

    /// <summary>
    /// The layouts of the metrics whose grains may hold series matching <paramref name="matchers"/>: their
    /// <c>__name__</c> matchers accept the name, and the label index does not rule every grain of theirs out.
    /// </summary>
    [AlwaysInterleave]
    Task<MetricLayout[]> GetLayoutsMatchingAsync(Prometheus.Model.LabelMatcher[] matchers);

    /// <summary>Every metric of this catalog shard with the grains that may hold its exemplars.</summary>
    [AlwaysInterleave]
    Task<MetricLayout[]> GetLayoutsAsync();

    /// <summary>One metric's layout, or null when no grain of it ever stored an exemplar (or all were forgotten).</summary>
    [AlwaysInterleave]
    Task<MetricLayout?> GetLayoutAsync(string metricName);

    /// <summary>
    /// Whether grain <paramref name="grainKey"/> was forgotten for idleness (<c>Exemplars:Retention</c>) and has not
    /// stored an exemplar since: a replay of its WAL records (a crashed silo's log still holding them) is dropped.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> IsForgottenAsync(string grainKey);

    /// <summary>Activates the shard, so its retention sweep runs (the silos call it now and then).</summary>
    [AlwaysInterleave]
    Task WakeAsync();
}

public static class MetricCatalog
{
    /// <summary>Fixed: changing it moves names between shards, so it is part of the stored format.</summary>
    public const int ShardCount = 16;

    /// <summary>FNV-1a over UTF-8: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    public static int ShardOf(string metricName)
    {
        return (int)(Fnv1a.Hash(Encoding.UTF8.GetBytes(metricName)) % ShardCount);
    }

    public static IMetricCatalogGrain Shard(this IGrainFactory grains, string metricName) =>
        grains.GetGrain<IMetricCatalogGrain>(ShardOf(metricName));

    /// <summary>Every name from every shard, asked in parallel.</summary>
    public static async Task<string[]> GetAllNamesAsync(this IGrainFactory grains)
    {
        var shards = await Task.WhenAll(
            Enumerable.Range(0, ShardCount).Select(i => grains.GetGrain<IMetricCatalogGrain>(i).GetNamesAsync()));
        return shards.SelectMany(s => s).ToArray();
    }

    /// <summary>Every metric that may hold series matching <paramref name="matchers"/>, from every shard in parallel.</summary>
    public static async Task<MetricLayout[]> GetLayoutsMatchingAsync(this IGrainFactory grains, Prometheus.Model.LabelMatcher[] matchers)
    {
        var shards = await Task.WhenAll(
            Enumerable.Range(0, ShardCount).Select(i => grains.GetGrain<IMetricCatalogGrain>(i).GetLayoutsMatchingAsync(matchers)));
        return shards.SelectMany(s => s).ToArray();
    }

    /// <summary>Every metric's layout from every shard, asked in parallel.</summary>
    public static async Task<MetricLayout[]> GetAllLayoutsAsync(this IGrainFactory grains)
    {
        var shards = await Task.WhenAll(
            Enumerable.Range(0, ShardCount).Select(i => grains.GetGrain<IMetricCatalogGrain>(i).GetLayoutsAsync()));
        return shards.SelectMany(s => s).ToArray();
    }
}
