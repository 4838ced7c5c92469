using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Grains.Catalog;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains;

[GenerateSerializer]
public sealed class MetricCatalogState
{
    /// <summary>Every metric name some grain of which stored exemplars.</summary>
    [Id(0)] public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Sharding facts per metric. A name in <see cref="Names"/> without an entry was registered by its plain grain
    /// only, which is also how every name stored before sharding existed reads.
    /// </summary>
    [Id(1)] public Dictionary<string, MetricShardState> Shards { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer]
public sealed class MetricShardState
{
    /// <summary>The plain grain <c>name</c> stored exemplars.</summary>
    [Id(0)] public bool Unsharded { get; set; }

    /// <summary>Highest registered shard number + 1: grains <c>name#0..Span-1</c> may hold exemplars.</summary>
    [Id(1)] public int Span { get; set; }

    /// <summary>Shard count chosen by the automatic threshold; 0 when it never fired.</summary>
    [Id(2)] public int AutoShards { get; set; }
}

/// <summary>
/// One shard of the metric-name catalog; stored so names survive restarts with their grains' exemplars. It is also
/// where the automatic shard count of a metric lives, so every router (API hosts, silos' Kafka receivers) reads the same
/// value, and where the grains of a sharded metric are listed, so queries find data in grains of an earlier K.
/// </summary>
public sealed class MetricCatalogGrain(
    [PersistentState("catalog", StorageNames.Exemplars)] IPersistentState<MetricCatalogState> state)
    : Grain, IMetricCatalogGrain
{
    private string[]? _names;
    private MetricLayout[]? _layouts;

    /// <summary>Memory only: what it forgets, the grains report again (every query asks a grain it knows nothing of).</summary>
    private readonly LabelValueIndex _labels = new();

    public Task IndexLabelsAsync(string grainKey, LabelValues values, bool complete)
    {
        _labels.Report(grainKey, values, complete);
        return Task.CompletedTask;
    }

    public Task<MetricLayout[]> GetLayoutsMatchingAsync(LabelMatcher[] matchers)
    {
        var names = matchers.Where(m => m.Name == LabelSet.MetricName).ToArray();
        var layouts = new List<MetricLayout>();
        foreach (var name in state.State.Names)
        {
            if (name.Length == 0 || !names.All(m => m.Matches(name))) continue;
            var layout = Layout(name);
            if (layout.GrainKeys().Any(key => _labels.MayMatch(key, matchers))) layouts.Add(layout);
        }
        return Task.FromResult(layouts.ToArray());
    }

    public Task RegisterAsync(string metricName) => UpdateAsync(metricName, s =>
    {
        if (s.Unsharded) return false;
        s.Unsharded = true;
        return true;
    });

    public Task RegisterShardAsync(string metricName, int shard) => UpdateAsync(metricName, s =>
    {
        if (s.Span > shard) return false;
        s.Span = shard + 1;
        return true;
    });

    public async Task<int> RequestAutoShardsAsync(string metricName, int shards)
    {
        // Only grows, so a metric near the threshold does not move its series back and forth between grains.
        await UpdateAsync(metricName, s =>
        {
            if (s.AutoShards >= shards) return false;
            s.AutoShards = shards;
            return true;
        });
        return state.State.Shards[metricName].AutoShards;
    }

    /// <summary>Applies <paramref name="change"/> (true if it changed anything) and writes the state when it did.</summary>
    private async Task UpdateAsync(string metricName, Func<MetricShardState, bool> change)
    {
        var added = state.State.Names.Add(metricName);
        if (!state.State.Shards.TryGetValue(metricName, out var shard))
        {
            // A name stored before this dictionary existed was registered by its plain grain.
            state.State.Shards[metricName] = shard = new MetricShardState { Unsharded = !added };
        }
        var changed = change(shard) | added;
        if (!changed) return;
        _names = null;
        _layouts = null;
        await state.WriteStateAsync();
    }

    public Task<string[]> GetNamesAsync() => Task.FromResult(_names ??= state.State.Names.ToArray());

    public Task<MetricLayout[]> GetLayoutsAsync() =>
        Task.FromResult(_layouts ??= state.State.Names.Select(Layout).ToArray());

    public Task<MetricLayout?> GetLayoutAsync(string metricName) =>
        Task.FromResult(state.State.Names.Contains(metricName) ? Layout(metricName) : null);

    private MetricLayout Layout(string name) => state.State.Shards.TryGetValue(name, out var s)
        ? new MetricLayout(name, s.Unsharded, s.Span, s.AutoShards)
        : new MetricLayout(name, Unsharded: true, ShardSpan: 0, AutoShards: 0);
}
