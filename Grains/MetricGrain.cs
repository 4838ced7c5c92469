using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Grains.Budget;
using OrleansExemplars.Grains.Catalog;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains;

/// <summary>
/// Thin Orleans shell around one <see cref="ExemplarRing"/> per metric name, or per shard of a hot metric (key
/// <c>name#k</c>, see <see cref="MetricShardRouter"/>). Batches arrive by direct calls (HTTP ingest) or from the
/// <see cref="StreamNamespaces.MetricExemplars"/> stream keyed by the same grain key (Kafka ingest), one per poll.
/// </summary>
/// <remarks>
/// Durability: what a call stored is logged to the silo's WAL before the call completes (so before the HTTP 2xx or the
/// Kafka offset commit), and the ring is written behind to grain storage on a timer and on deactivation, after which
/// the log may drop those records.
/// <para>
/// Placed at random rather than by Orleans' default (resource-optimised, preferring the caller's silo): HTTP ingest
/// reaches metric grains from the <see cref="Ingest.ExemplarIngestGrain"/> on the silo the API host's call arrived at,
/// and Kafka ingest from whichever silo reads the partition, so following the caller would pile a cluster's rings
/// onto its gateway silos.
/// </para>
/// </remarks>
[RandomPlacement]
[ImplicitStreamSubscription(StreamNamespaces.MetricExemplars)]
public sealed class MetricGrain(
    IOptions<ExemplarStorageOptions> options,
    IOptions<ShardingOptions> sharding,
    MetricShardDirectory shards,
    IngestMetrics metrics,
    ExemplarBudget budget,
    SiloExemplarWal log,
    ILogger<MetricGrain> logger,
    [PersistentState(StorageNames.RingState, StorageNames.Exemplars)] IPersistentState<MetricRingState> state)
    : Grain, IMetricGrain, IStreamSubscriptionObserver, IAsyncObserver<SeriesExemplars[]>
{
    private ExemplarRing _ring = new(0);

    /// <summary>Appended to since the ring was last written to grain storage (write-behind).</summary>
    private bool _dirty;

    /// <summary>
    /// Set when logging failed: the next acknowledgement waits for the ring itself to be written, since a resent batch
    /// would be a duplicate the ring ignores and so would never be logged.
    /// </summary>
    private bool _persistBeforeAck;

    /// <summary>
    /// Catalog shards keep names in grain storage; re-registering now and then heals a shard whose state was lost
    /// (e.g. memory storage on a silo that left) while this metric keeps receiving exemplars, and is how the catalog
    /// learns the metric is active (<c>Exemplars:Retention</c>): at most this often, never per append.
    /// </summary>
    private readonly TimeSpan _registrationRefresh = CatalogRetention.ReportInterval(options.Value.Retention);

    private DateTime _registeredAt = DateTime.MinValue;

    /// <summary>When this activation last stored an exemplar (its own clock); MinValue when it has not.</summary>
    private DateTime _storedAt = DateTime.MinValue;

    /// <summary>The catalog's answer to whether this grain was forgotten, asked before the first replay (see <see cref="ReplayAsync"/>).</summary>
    private bool? _forgotten;

    /// <summary>Re-registers after a refused <see cref="ForgetAsync"/>, once that call has returned.</summary>
    private IGrainTimer? _registerAgain;

    /// <summary>The label names and values of this ring's series the catalog's index was told (see <see cref="ReportLabelsAsync"/>).</summary>
    private LabelValueTracker _labels = new();

    /// <summary>The catalog had this activation's complete report; until then, and after a failed report, the next is complete.</summary>
    private bool _labelsComplete;

    // What this grain last added to the silo's ring gauges, so each change reports only the difference.
    private long _reportedExemplars;
    private long _reportedSeries;

    /// <summary>Set once this grain asked the catalog to shard its metric (the catalog remembers it).</summary>
    private bool _autoShardRequested;

    /// <summary>This activation, as replay and the WAL tell activations of the same grain apart.</summary>
    private readonly Guid _activation = Guid.NewGuid();

    /// <summary>This activation in the silo's WAL: what pins its records until its ring is written (made on first log).</summary>
    private WalOwner? _walOwner;

    /// <summary>The grain key (<c>name</c> or <c>name#k</c>): what the WAL, storage and replay know this ring by.</summary>
    private string Metric => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A stored ring that did not decode never gets here: storage quarantined it and handed over an empty state.
        _ring = state.State.TakeRing(options.Value.MaxExemplarsPerMetric);
        foreach (var series in _ring.SeriesLabels) _labels.Observe(series);
        var interval = options.Value.PersistInterval;
        this.RegisterGrainTimer(ct => PersistIfDirtyAsync(ct), interval, interval);
        ReportRing();
        return Task.CompletedTask;
    }

    /// <summary>Brings the silo's ring gauges up to date with this ring (or takes it out of them when it goes).</summary>
    private void ReportRing(bool leaving = false)
    {
        long exemplars = leaving ? 0 : _ring.Count, series = leaving ? 0 : _ring.SeriesCount;
        metrics.RecordRingChange(exemplars - _reportedExemplars, series - _reportedSeries);
        _reportedExemplars = exemplars;
        _reportedSeries = series;
        // Also when the count stays: a full ring overwrites its oldest, and the budget plans by where the oldest are.
        if (budget.Limit == 0) return;
        if (leaving) budget.Leave(Metric);
        else budget.Report(Metric, _ring.Count, _ring.AppendOrderTimestamps());
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await PersistIfDirtyAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // The silo's WAL still holds what this ring logged: it replays it into the grain's next activation.
            logger.LogError(e, "Metric grain {Metric} could not write its ring on deactivation ({Reason})", Metric, reason);
        }
        finally
        {
            if (_walOwner is not null) log.Ended(_walOwner);
            ReportRing(leaving: true);
        }
    }

    public async Task<Guid> PersistAsync()
    {
        await PersistIfDirtyAsync(CancellationToken.None);
        return _activation;
    }

    /// <summary>Writes the ring to grain storage if it changed: on a timer, on deactivation and when asked.</summary>
    private async Task PersistIfDirtyAsync(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        state.State.Snapshot = ExemplarRingSnapshot.Write(_ring);
        await state.WriteStateAsync(cancellationToken);
        _dirty = false;
        _persistBeforeAck = false;
        if (_walOwner is not null) log.Persisted(_walOwner);
    }

    public async Task<AppendResult> AppendAsync(SeriesExemplars[] batch)
    {
        int appended = 0, duplicates = 0, outOfOrder = 0, tooLong = 0;
        // What the ring stored, for the log: the batch itself unless something was rejected.
        var stored = new List<SeriesExemplars>(batch.Length);
        foreach (var series in batch)
        {
            var exemplars = series.Exemplars;
            var order = series.NativeHistogram ? ExemplarOrder.SameTimestampByValue : ExemplarOrder.StrictTimestamps;
            Exemplar[]? subset = null;
            var kept = 0;
            for (var j = 0; j < exemplars.Length; j++)
            {
                var outcome = _ring.Append(series.Series, exemplars[j], order);
                if (outcome == AppendOutcome.Appended)
                {
                    if (subset is not null) subset[kept] = exemplars[j];
                    kept++;
                    continue;
                }
                if (subset is null)
                {
                    subset = new Exemplar[exemplars.Length];
                    Array.Copy(exemplars, subset, j);
                }
                switch (outcome)
                {
                    case AppendOutcome.Duplicate: duplicates++; break;
                    case AppendOutcome.OutOfOrder: outOfOrder++; break;
                    case AppendOutcome.LabelSetTooLong: tooLong++; break;
                }
            }
            appended += kept;
            if (kept == 0) continue;
            _labels.Observe(series.Series);
            stored.Add(subset is null ? series : new SeriesExemplars(series.Series, subset[..kept]));
        }
        var result = new AppendResult(appended, duplicates, outOfOrder, tooLong);
        _dirty |= appended > 0;
        metrics.RecordAppend(result);
        ReportRing();

        if (stored.Count > 0)
        {
            try
            {
                await log.AppendAsync(_walOwner ??= log.OwnerFor(Metric, _activation), stored);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Metric grain {Metric} could not log {Count} exemplars; writing its ring before acknowledging",
                    Metric, appended);
                _persistBeforeAck = true;
            }
        }
        if (_persistBeforeAck) await PersistIfDirtyAsync(CancellationToken.None);

        // Registered after the first stored exemplar (the catalog lists names worth querying), then refreshed.
        if (appended > 0)
        {
            _storedAt = DateTime.UtcNow;
            await RegisterAsync();
            await ShardIfHotAsync();
        }
        await ReportLabelsAsync();
        return result;
    }

    public async Task<ReplayReceipt> ReplayAsync(SeriesExemplars[] batch)
    {
        if (await WasForgottenAsync())
        {
            // Records from before the catalog forgot this grain, still in a crashed silo's log: dropped, as its ring was.
            logger.LogDebug("Metric grain {Metric} was forgotten for idleness: {Series} replayed series dropped", Metric, batch.Length);
            return new ReplayReceipt(0, _activation);
        }
        var (ring, added) = ExemplarRingMerge.Merge(_ring, batch);
        _ring = ring;
        ReportRing();
        _dirty |= added > 0;
        foreach (var series in batch) _labels.Observe(series.Series);
        if (added > 0) await RegisterAsync();
        await ReportLabelsAsync();
        return new ReplayReceipt(added, _activation);
    }

    /// <summary>
    /// Registered before the append is acknowledged, so a query made after it knows this grain may hold the metric's
    /// exemplars (a shard grain registers as such: queries of the metric then ask it).
    /// </summary>
    private async Task RegisterAsync()
    {
        if (DateTime.UtcNow - _registeredAt <= _registrationRefresh) return;
        var (name, shard) = MetricShardRouter.ParseKey(Metric);
        var catalog = GrainFactory.Shard(name);
        await (shard < 0 ? catalog.RegisterAsync(name) : catalog.RegisterShardAsync(name, shard));
        _registeredAt = DateTime.UtcNow;
        _labelsComplete = false; // with the refresh, a complete label report heals a catalog that forgot its index
    }

    /// <summary>
    /// Tells the catalog's label index what it does not know of this ring's series, before the append is acknowledged:
    /// a query that names no metric must not rule this grain out for a label value it already stores.
    /// </summary>
    private async Task ReportLabelsAsync()
    {
        if (_ring.Count == 0 || (_labelsComplete && !_labels.HasPending)) return;
        var catalog = GrainFactory.Shard(MetricShardRouter.ParseKey(Metric).Metric);
        var complete = !_labelsComplete;
        _labelsComplete = false;
        await catalog.IndexLabelsAsync(Metric, complete ? _labels.Complete() : _labels.TakePending(), complete);
        _labelsComplete = true;
    }

    /// <summary>
    /// Automatic sharding: the plain grain of a metric no pattern configures asks the catalog to spread the metric over
    /// <c>Sharding:AutoShards</c> grains once it holds more series than <c>Sharding:AutoSeriesThreshold</c>. Routers
    /// pick the count up on their next refresh; what this ring holds stays here and is still queried.
    /// </summary>
    private async Task ShardIfHotAsync()
    {
        var settings = sharding.Value;
        if (_autoShardRequested || settings.AutoSeriesThreshold == 0 || _ring.SeriesCount <= settings.AutoSeriesThreshold) return;
        var (name, shard) = MetricShardRouter.ParseKey(Metric);
        if (shard >= 0 || shards.ConfiguredShardsOf(name) > 0) return;
        var granted = await GrainFactory.Shard(name).RequestAutoShardsAsync(name, settings.AutoShards);
        _autoShardRequested = true;
        logger.LogInformation("Metric {Metric} holds {Series} series (threshold {Threshold}): spread over {Shards} grains",
            name, _ring.SeriesCount, settings.AutoSeriesThreshold, granted);
    }

    public Task<int> ShedOldestAsync(long beforeMs, int max)
    {
        var dropped = _ring.DropOldest(beforeMs, max);
        if (dropped > 0)
        {
            // Written behind like any change; the WAL's records of what was dropped go with the next checkpoint.
            _dirty = true;
            ReportRing();
        }
        return Task.FromResult(dropped);
    }

    /// <summary>
    /// Whether the catalog forgot this grain and it stored nothing since: asked once per activation, before its first
    /// replay, with retention on. An activation that stored an exemplar registered it again, which lifts the tombstone.
    /// </summary>
    private async ValueTask<bool> WasForgottenAsync()
    {
        if (options.Value.Retention == TimeSpan.Zero || _storedAt != DateTime.MinValue) return false;
        _forgotten ??= await GrainFactory.Shard(MetricShardRouter.ParseKey(Metric).Metric).IsForgottenAsync(Metric);
        return _forgotten.Value;
    }

    public async Task<bool> ForgetAsync(TimeSpan idleAtLeast)
    {
        if (DateTime.UtcNow - _storedAt < idleAtLeast)
        {
            // An append raced the expiry: the ring is live. The catalog dropped the key, so register again — from a
            // timer, after this call: the catalog is not waiting for it, but its sweep may still be sending forgets.
            _registeredAt = DateTime.MinValue;
            _registerAgain ??= this.RegisterGrainTimer(async () =>
            {
                _registerAgain?.Dispose();
                _registerAgain = null;
                await RegisterAsync();
                await ReportLabelsAsync();
            }, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            logger.LogInformation("Metric grain {Metric} stored exemplars as the catalog forgot it: kept, registering again", Metric);
            return false;
        }
        // Storage first: if deleting fails, nothing changed and the catalog asks again.
        await state.ClearStateAsync();
        _ring = new ExemplarRing(options.Value.MaxExemplarsPerMetric);
        _dirty = false;
        _persistBeforeAck = false;
        // Its records in the WAL need no replay now (a crashed silo's log is screened by the catalog's tombstone).
        if (_walOwner is not null) log.Persisted(_walOwner);
        ReportRing(); // the ring gauges and the silo's budget let its exemplars go
        _labels = new LabelValueTracker();
        _labelsComplete = false;
        _registeredAt = DateTime.MinValue; // the next stored exemplar registers it as new
        _autoShardRequested = false;
        DeactivateOnIdle();
        logger.LogDebug("Metric grain {Metric} forgotten for idleness: stored ring deleted", Metric);
        return true;
    }

    public Task<SeriesJsonBatch> SelectJsonAsync(long startMs, long endMs, LabelMatcher[][] matcherSets, SeriesJsonOptions options) =>
        Task.FromResult(_ring.SelectJson(startMs, endMs, matcherSets, options));

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
