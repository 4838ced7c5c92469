using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;
using OrleansExemplars.GrainInterfaces.RemoteWrite;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Regroups all the messages of one poll by stream: one container per metric name holding that metric's series from
/// every message, so a metric grain gets one delivery per poll however many messages mentioned it.
/// </summary>
public sealed class PollBatchBuilder
{
    private readonly Dictionary<string, List<SeriesExemplars>> _byMetric = new(StringComparer.Ordinal);

    public void Add(DecodedWrite write)
    {
        foreach (var (metric, series) in write.ExemplarsByMetric)
        {
            if (!_byMetric.TryGetValue(metric, out var list)) _byMetric[metric] = list = [];
            list.AddRange(series);
        }
    }

    /// <summary>
    /// The poll's containers, tokens (<paramref name="lastOffset"/>, i) so they order after every earlier poll's.
    /// </summary>
    public List<KafkaBatchContainer> Build(long lastOffset)
    {
        var containers = new List<KafkaBatchContainer>(_byMetric.Count);
        var i = 0;
        foreach (var (metric, series) in _byMetric)
        {
            containers.Add(new KafkaBatchContainer(StreamId.Create(StreamNamespaces.MetricExemplars, metric),
                series.ToArray(), new EventSequenceTokenV2(lastOffset, i++)));
        }
        return containers;
    }
}
