using Orleans.Runtime;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains;

[GenerateSerializer]
public sealed class MetricCatalogState
{
    [Id(0)] public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One shard of the metric-name catalog; stored so names survive restarts with their grains' exemplars.</summary>
public sealed class MetricCatalogGrain(
    [PersistentState("catalog", StorageNames.Exemplars)] IPersistentState<MetricCatalogState> state)
    : Grain, IMetricCatalogGrain
{
    private string[]? _snapshot;

    public async Task RegisterAsync(string metricName)
    {
        if (!state.State.Names.Add(metricName)) return;
        _snapshot = null;
        await state.WriteStateAsync();
    }

    public Task<string[]> GetNamesAsync() => Task.FromResult(_snapshot ??= state.State.Names.ToArray());
}
