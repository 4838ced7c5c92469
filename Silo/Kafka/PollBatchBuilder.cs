using System.Globalization;
using Orleans.Providers.Streams.Common;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Regroups all the messages of one poll by stream: one container per metric grain (the metric name, or
/// <c>name#k</c> for a shard of a hot metric, routed by <see cref="MetricShardRouter"/> exactly as HTTP ingest routes)
/// holding that grain's exemplar-bearing series from every message, and — when forwarding is on — one per forwarder
/// shard holding its series, so each grain gets one delivery per poll however many messages mentioned it.
/// </summary>
/// <param name="forwardShards">Forwarder shards; 0 when no remote-write endpoint is configured.</param>
/// <param name="router">Where series of sharded metrics go; null routes every metric to its plain grain.</param>
/// <param name="partitionShard">
/// When set, everything to forward goes to this one shard (the partition's) instead of a shard per series hash: a
/// message decoded as a <see cref="DecodedWrite.Block"/> goes whole, and the series of the messages that could not be
/// follow it in the same queue, so the partition's order — and with producers keying by series, each series' order —
/// holds across both.
/// </param>
public sealed class PollBatchBuilder(int forwardShards = 0, MetricShardRouter? router = null, int? partitionShard = null)
{
    /// <summary>Grain key (= stream key in <see cref="StreamNamespaces.MetricExemplars"/>) → its series, in poll order.</summary>
    private readonly Dictionary<string, List<SeriesExemplars>> _byMetric = new(StringComparer.Ordinal);
    private readonly Dictionary<int, List<ForwardSeries>> _byShard = [];

    public void Add(DecodedWrite write)
    {
        var byGrain = router is null ? write.ExemplarsByMetric : router.Route(write.ExemplarsByMetric);
        foreach (var (metric, series) in byGrain)
        {
            if (!_byMetric.TryGetValue(metric, out var list)) _byMetric[metric] = list = [];
            list.AddRange(series);
        }
        if (forwardShards == 0) return;
        if (partitionShard is { } shardOfPartition)
        {
            if (!_byShard.TryGetValue(shardOfPartition, out var queue)) _byShard[shardOfPartition] = queue = [];
            if (write.Block is { } block) queue.Add(new ForwardSeries(block));
            else queue.AddRange(write.Forward);
            return;
        }
        foreach (var (shard, series) in ForwardSharding.GroupByShard(write.Forward, forwardShards))
        {
            if (!_byShard.TryGetValue(shard, out var list)) _byShard[shard] = list = [];
            list.AddRange(series);
        }
    }

    /// <summary>
    /// The poll's containers, tokens (<paramref name="lastOffset"/>, i) so they order after every earlier poll's.
    /// <paramref name="pollId"/> names the poll (topic, partition, offset) in forward batch ids, so a redelivered
    /// batch is recognised by its forwarder.
    /// </summary>
    public List<KafkaBatchContainer> Build(long lastOffset, string pollId = "")
    {
        var containers = new List<KafkaBatchContainer>(_byMetric.Count + _byShard.Count);
        var i = 0;
        foreach (var (metric, series) in _byMetric)
        {
            containers.Add(new KafkaBatchContainer(StreamId.Create(StreamNamespaces.MetricExemplars, metric),
                series.ToArray(), new EventSequenceTokenV2(lastOffset, i++)));
        }
        foreach (var (shard, series) in _byShard)
        {
            var key = shard.ToString(CultureInfo.InvariantCulture);
            containers.Add(new KafkaBatchContainer(StreamId.Create(StreamNamespaces.ForwardShards, key),
                new ForwardBatch($"{pollId}/{key}", series.ToArray()), new EventSequenceTokenV2(lastOffset, i++)));
        }
        return containers;
    }
}
