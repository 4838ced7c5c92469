using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;
using OrleansExemplars.Grains.Exemplars;

namespace OrleansExemplars.Grains;

/// <summary>
/// Thin Orleans shell around one <see cref="ExemplarRing"/> per metric name. Batches arrive by direct calls (HTTP
/// ingest) or from the <see cref="StreamNamespaces.MetricExemplars"/> stream keyed by the metric name (Kafka ingest),
/// one per poll.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.MetricExemplars)]
public sealed class MetricGrain(
    IOptions<ExemplarStorageOptions> options,
    IngestMetrics metrics,
    [PersistentState("ring", StorageNames.Exemplars)] IPersistentState<MetricRingState> state)
    : Grain, IMetricGrain, IStreamSubscriptionObserver, IAsyncObserver<SeriesExemplars[]>
{
    private ExemplarRing _ring = new(0);

    /// <summary>Appended to since the ring was last written to grain storage (write-behind).</summary>
    private bool _dirty;
    /// <summary>
    /// Catalog shards keep names in grain storage; re-registering now and then heals a shard whose state was lost
    /// (e.g. memory storage on a silo that left) while this metric keeps receiving exemplars.
    /// </summary>
    private static readonly TimeSpan RegistrationRefresh = TimeSpan.FromMinutes(5);

    private DateTime _registeredAt = DateTime.MinValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var capacity = options.Value.MaxExemplarsPerMetric;
        _ring = state.State.Snapshot is { Length: > 0 } snapshot
            ? ExemplarRingSnapshot.Read(snapshot, capacity)
            : new ExemplarRing(capacity);
        var interval = options.Value.PersistInterval;
        this.RegisterGrainTimer(PersistAsync, interval, interval);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await PersistAsync(cancellationToken);

    /// <summary>Writes the ring to grain storage if it changed: on a timer and when the grain deactivates.</summary>
    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        state.State.Snapshot = ExemplarRingSnapshot.Write(_ring);
        _dirty = false;
        await state.WriteStateAsync(cancellationToken);
    }

    public async Task<AppendResult> AppendAsync(SeriesExemplars[] batch)
    {
        int appended = 0, duplicates = 0, outOfOrder = 0, tooLong = 0;
        foreach (var series in batch)
        {
            foreach (var exemplar in series.Exemplars)
            {
                switch (_ring.Append(series.Series, exemplar))
                {
                    case AppendOutcome.Appended: appended++; break;
                    case AppendOutcome.Duplicate: duplicates++; break;
                    case AppendOutcome.OutOfOrder: outOfOrder++; break;
                    case AppendOutcome.LabelSetTooLong: tooLong++; break;
                }
            }
        }
        var result = new AppendResult(appended, duplicates, outOfOrder, tooLong);
        _dirty |= appended > 0;
        metrics.RecordAppend(result);
        // Registered after the first stored exemplar (the catalog lists names worth querying), then refreshed.
        if (appended > 0 && DateTime.UtcNow - _registeredAt > RegistrationRefresh)
        {
            await GrainFactory.Shard(this.GetPrimaryKeyString()).RegisterAsync(this.GetPrimaryKeyString());
            _registeredAt = DateTime.UtcNow;
        }
        return result;
    }

    public Task<SeriesExemplars[]> SelectAsync(long startMs, long endMs, LabelMatcher[][] matcherSets) =>
        Task.FromResult(_ring.Select(startMs, endMs, matcherSets).ToArray());

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<SeriesExemplars[]>().ResumeAsync(this);

    public async Task OnNextAsync(SeriesExemplars[] item, StreamSequenceToken? token = null)
    {
        metrics.RecordStreamBatch();
        await AppendAsync(item);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

/// <summary>A metric grain's stored state: its ring as an <see cref="ExemplarRingSnapshot"/>.</summary>
[GenerateSerializer]
public sealed class MetricRingState
{
    [Id(0)] public byte[]? Snapshot { get; set; }
}
