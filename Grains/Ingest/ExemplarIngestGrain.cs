using Orleans.Concurrency;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Ingest;

/// <summary>
/// Fans requests' exemplars out to their metric grains from inside the silo, where a call is a local message rather
/// than a round trip through the gateway, and merges the batches of concurrent requests for the same metric grain
/// into one call (<see cref="PerKeyCoalescer{TItem}"/>). Stateless and reentrant: one activation per silo serves
/// every request at once, since all it does is wait for the metric grains.
/// </summary>
[StatelessWorker(1), Reentrant]
public sealed class ExemplarIngestGrain : Grain, IExemplarIngestGrain
{
    private readonly PerKeyCoalescer<SeriesExemplars> _appends;

    public ExemplarIngestGrain() =>
        _appends = new PerKeyCoalescer<SeriesExemplars>((key, batch) => GrainFactory.GetGrain<IMetricGrain>(key).AppendAsync(batch));

    public Task AppendAsync(MetricExemplars[] batches)
    {
        var appends = new Task[batches.Length];
        for (var i = 0; i < batches.Length; i++) appends[i] = _appends.SendAsync(batches[i].GrainKey, batches[i].Series);
        return Task.WhenAll(appends);
    }
}
