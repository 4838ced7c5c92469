using Orleans.Concurrency;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains;

/// <summary>
/// Fans one request's exemplars out to their metric grains from inside the silo, where a call is a local message
/// rather than a round trip through the gateway. Stateless and reentrant: one activation per silo serves every
/// request at once, since all it does is wait for the metric grains.
/// </summary>
[StatelessWorker(1), Reentrant]
public sealed class ExemplarIngestGrain : Grain, IExemplarIngestGrain
{
    public async Task<AppendResult> AppendAsync(MetricExemplars[] batches)
    {
        var appends = new Task<AppendResult>[batches.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            appends[i] = GrainFactory.GetGrain<IMetricGrain>(batches[i].GrainKey).AppendAsync(batches[i].Series);
        }
        var total = default(AppendResult);
        foreach (var result in await Task.WhenAll(appends)) total += result;
        return total;
    }
}
