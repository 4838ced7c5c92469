using Microsoft.Extensions.Options;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.WriteApi.Ingest;

/// <summary>What became of a request's samples.</summary>
public enum IngestOutcome
{
    /// <summary>Every endpoint accepted them (or forwarding is off).</summary>
    Written,

    /// <summary>Not all accepted within <c>Api:ForwardTimeout</c>; what was queued stays queued.</summary>
    ForwardTimeout,

    /// <summary>A silo's forward queues were full (<c>RemoteWrite:MaxQueuedBytes</c>): some were not queued.</summary>
    QueueFull,
}

/// <summary>
/// Hands a decoded request to its grains: one call to a silo's <see cref="IExemplarIngestGrain"/> carrying a batch per
/// metric grain for the exemplars (per shard of a hot metric, routed by <see cref="MetricShardRouter"/> as the Kafka
/// receivers route) and, when remote-write endpoints are configured (<c>RemoteWrite:Endpoints</c>), one per forwarder
/// shard for the samples, all in parallel. A forwarder batch is named by the request's content and its shard, so a
/// resent request finds its batches queued (or sent) and nothing is forwarded twice.
/// </summary>
public sealed class RemoteWriteIngestor(IGrainFactory grains, WriteApiMetrics metrics, IOptions<RemoteWriteOptions> forwarding,
    IOptions<WriteApiOptions> options, MetricShardDirectory shards)
{
    private readonly int _forwardShards = forwarding.Value.ForwardShards;

    /// <summary>Whether samples go on to remote-write endpoints (<c>RemoteWrite:Endpoints</c> configured).</summary>
    public bool Forwarding => _forwardShards > 0;

    /// <param name="requestId">The request's <see cref="RequestFingerprint"/> (unused without forwarding).</param>
    public async Task<IngestOutcome> IngestAsync(DecodedWrite write, string requestId, CancellationToken cancellationToken)
    {
        metrics.RecordWrite(write);
        var router = await shards.CurrentAsync(cancellationToken);
        var batches = router.Route(write.ExemplarsByMetric).Select(g => new MetricExemplars(g.Key, g.Value.ToArray())).ToArray();
        var appends = batches.Length == 0 ? Task.CompletedTask : grains.ExemplarIngest().AppendAsync(batches);
        if (_forwardShards == 0)
        {
            await appends;
            return IngestOutcome.Written;
        }
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var forwards = ForwardSharding.GroupByShard(write.Forward, _forwardShards)
            .Select(s => ForwardAsync(requestId, s.Key, s.Value, stopWaiting.Token)).ToList();
        await appends;
        var outcome = IngestOutcome.Written;
        while (forwards.Count > 0)
        {
            var done = await Task.WhenAny(forwards);
            forwards.Remove(done);
            switch (await done)
            {
                case ForwardStatus.QueueFull:
                    // Answer now: the shards that took their batch keep it, and the resend will find it there.
                    await stopWaiting.CancelAsync();
                    return IngestOutcome.QueueFull;
                case ForwardStatus.Pending:
                    outcome = IngestOutcome.ForwardTimeout;
                    break;
            }
        }
        return outcome;
    }

    private async Task<ForwardStatus> ForwardAsync(string requestId, int shard, List<ForwardSeries> series, CancellationToken ct)
    {
        // The shard count is part of the name: hosts configured with different counts split a request differently.
        var batch = new ForwardBatch($"{requestId}/{shard}of{_forwardShards}", series.ToArray());
        var forwarder = grains.Forwarder(shard);
        var deadline = DateTime.UtcNow + options.Value.ForwardTimeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var status = await forwarder.ForwardAsync(batch, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (status != ForwardStatus.Pending || ct.IsCancellationRequested || DateTime.UtcNow >= deadline) return status;
        }
    }
}
