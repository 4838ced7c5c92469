using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Hosting;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.RemoteWrite;
using OrleansExemplars.GrainInterfaces.Sharding;

namespace OrleansExemplars.ApiHost.Ingest;

/// <summary>
/// Hands a decoded request to its grains: one call to a silo's <see cref="IExemplarIngestGrain"/> carrying a batch per
/// metric grain for the exemplars (per shard of a hot metric, routed by <see cref="MetricShardRouter"/> as the Kafka
/// receivers route) and, when remote-write endpoints are configured (<c>RemoteWrite:Endpoints</c>), one per forwarder
/// shard for the samples, all in parallel.
/// </summary>
public sealed class RemoteWriteIngestor(IGrainFactory grains, ApiMetrics metrics, IConfiguration configuration,
    IOptions<ApiHostOptions> options, MetricShardDirectory shards)
{
    private readonly int _forwardShards = configuration.GetSection($"{ForwardSharding.SectionName}:Endpoints").GetChildren().Any()
        ? configuration.GetValue($"{ForwardSharding.SectionName}:Shards", ForwardSharding.DefaultShards)
        : 0;

    /// <summary>Whether samples go on to remote-write endpoints (<c>RemoteWrite:Endpoints</c> configured).</summary>
    public bool Forwarding => _forwardShards > 0;

    /// <summary>False when the TSDBs did not accept every sample within <c>Api:ForwardTimeout</c>.</summary>
    public async Task<bool> IngestAsync(DecodedWrite write, CancellationToken cancellationToken)
    {
        metrics.RecordWrite(write);
        var router = await shards.CurrentAsync(cancellationToken);
        var batches = router.Route(write.ExemplarsByMetric).Select(g => new MetricExemplars(g.Key, g.Value.ToArray())).ToArray();
        var appends = batches.Length == 0 ? Task.CompletedTask : grains.ExemplarIngest().AppendAsync(batches);
        var forwards = _forwardShards == 0
            ? []
            : ForwardSharding.GroupByShard(write.Forward, _forwardShards).Select(s => ForwardAsync(s.Key, s.Value, cancellationToken));
        await appends;
        var forwarded = await Task.WhenAll(forwards);
        return forwarded.All(f => f);
    }

    private async Task<bool> ForwardAsync(int shard, List<GrainInterfaces.Model.ForwardSeries> series, CancellationToken ct)
    {
        var batch = new ForwardBatch(Guid.NewGuid().ToString("N"), series.ToArray());
        var forwarder = grains.Forwarder(shard);
        var deadline = DateTime.UtcNow + options.Value.ForwardTimeout;
        // Each call waits a while; the same batch id makes a repeated call wait for the batch already queued.
        while (!await forwarder.ForwardAsync(batch))
        {
            ct.ThrowIfCancellationRequested();
            if (DateTime.UtcNow >= deadline) return false;
        }
        return true;
    }
}
