using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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

    /// <summary>
    /// When each grain key (<c>name</c>, <c>name#k</c>) last reported storing exemplars, by the catalog's clock; kept
    /// with <c>Exemplars:Retention</c> only. A name none of whose keys has an entry (state written before retention
    /// existed, or while it was off) counts as seen when the shard activated.
    /// </summary>
    [Id(2)] public Dictionary<string, DateTime> LastSeen { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Grain keys forgotten for idleness (<c>Exemplars:Retention</c>) that have not stored an exemplar since.</summary>
    [Id(3)] public Dictionary<string, ForgottenGrain> Forgotten { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A tombstone: a replay of the grain's WAL records (from a crashed silo's log) is dropped while it is kept.</summary>
[GenerateSerializer]
public sealed class ForgottenGrain
{
    [Id(0)] public DateTime ForgottenAt { get; set; }

    /// <summary>The grain confirmed it deleted its stored ring; until then every sweep asks it again.</summary>
    [Id(1)] public bool Deleted { get; set; }
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
/// <remarks>
/// With <c>Exemplars:Retention</c>, a timer sweeps the shard every <see cref="CatalogRetention.SweepInterval"/> (and
/// once on activation): grain keys idle for longer than the retention leave the names, shards and label index, the
/// state is written once, and each such grain is told to delete its stored ring (<see cref="IMetricGrain.ForgetAsync"/>).
/// Those calls run after the sweep's turn, not in it: a metric grain in the middle of an append may be waiting for this
/// shard to register it, and the forget waits for that append. Activity reports between sweeps stay in memory and are
/// written by the next sweep, so a metric that keeps storing exemplars costs no catalog write.
/// </remarks>
public sealed class MetricCatalogGrain(
    IOptions<ExemplarStorageOptions> options,
    CatalogMetrics metrics,
    ILogger<MetricCatalogGrain> logger,
    [PersistentState(StorageNames.CatalogState, StorageNames.Exemplars)] IPersistentState<MetricCatalogState> state)
    : Grain, IMetricCatalogGrain
{
    /// <summary>Forget calls a sweep has in flight at once.</summary>
    private const int ForgetCallsInFlight = 16;

    private readonly TimeSpan _retention = options.Value.Retention;

    private string[]? _names;
    private MetricLayout[]? _layouts;

    /// <summary>Memory only: what it forgets, the grains report again (every query asks a grain it knows nothing of).</summary>
    private readonly LabelValueIndex _labels = new();

    /// <summary>Last-seen times changed since the state was last written (activity is written by the sweeps).</summary>
    private bool _unwritten;

    /// <summary>Grain keys that confirmed deleting their ring since the last sweep (which marks their tombstones).</summary>
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);

    private Task _forgetting = Task.CompletedTask;

    private long Shard => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        metrics.Names(Shard, state.State.Names.Count);
        if (_retention <= TimeSpan.Zero)
        {
            // Not tracked without retention, and what an earlier run with it stored is dropped: turning retention on
            // again later must count from then, not expire every metric that was active meanwhile at once.
            if (state.State.LastSeen.Count + state.State.Forgotten.Count == 0) return;
            state.State.LastSeen.Clear();
            state.State.Forgotten.Clear();
            _unwritten = true;
            try
            {
                await state.WriteStateAsync(cancellationToken);
                _unwritten = false;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Metric catalog shard {Shard} could not drop its last-seen times (Exemplars:Retention is off); writing them with the next change", Shard);
            }
            return;
        }
        var now = DateTime.UtcNow;
        foreach (var name in state.State.Names)
        {
            var keys = Layout(name).GrainKeys().ToList();
            if (keys.Any(state.State.LastSeen.ContainsKey)) continue;
            foreach (var key in keys) state.State.LastSeen[key] = now;
            _unwritten = true;
        }
        var period = CatalogRetention.SweepInterval(_retention);
        this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = true });
        // Before the first answer: a key that expired while the shard was inactive (a restart) is never listed.
        await SweepAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Left(Shard);
        if (!_unwritten) return;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // Last-seen times only: the next activation counts from the ones stored by the last sweep.
            logger.LogWarning(e, "Metric catalog shard {Shard} could not write its last-seen times on deactivation", Shard);
        }
    }

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

    public Task RegisterAsync(string metricName) => UpdateAsync(metricName, MetricShardRouter.PlainKey(metricName), s =>
    {
        if (s.Unsharded) return false;
        s.Unsharded = true;
        return true;
    });

    public Task RegisterShardAsync(string metricName, int shard) => UpdateAsync(metricName, MetricShardRouter.ShardKey(metricName, shard), s =>
    {
        if (s.Span > shard) return false;
        s.Span = shard + 1;
        return true;
    });

    public async Task<int> RequestAutoShardsAsync(string metricName, int shards)
    {
        // Only grows, so a metric near the threshold does not move its series back and forth between grains.
        await UpdateAsync(metricName, grainKey: null, s =>
        {
            if (s.AutoShards >= shards) return false;
            s.AutoShards = shards;
            return true;
        });
        return state.State.Shards[metricName].AutoShards;
    }

    /// <summary>
    /// Applies <paramref name="change"/> (true if it changed anything) and notes the activity of
    /// <paramref name="grainKey"/> (the grain that stored exemplars); writes the state when the layout changed, a key
    /// is new or a tombstone is lifted, and leaves a mere activity report to the next sweep.
    /// </summary>
    private async Task UpdateAsync(string metricName, string? grainKey, Func<MetricShardState, bool> change)
    {
        var added = state.State.Names.Add(metricName);
        if (!state.State.Shards.TryGetValue(metricName, out var shard))
        {
            // A name stored before this dictionary existed was registered by its plain grain.
            state.State.Shards[metricName] = shard = new MetricShardState { Unsharded = !added };
        }
        var changed = change(shard) | added;
        if (grainKey is not null && _retention > TimeSpan.Zero)
        {
            // A key new to the table is written at once, so a restart cannot leave it untracked (and never forgotten).
            changed |= !state.State.LastSeen.ContainsKey(grainKey);
            state.State.LastSeen[grainKey] = DateTime.UtcNow;
            _unwritten = true;
            // Stored exemplars again after being forgotten: its replays count from now on, durably before the ack.
            if (state.State.Forgotten.Remove(grainKey)) changed = true;
        }
        if (!changed) return;
        _names = null;
        _layouts = null;
        metrics.Names(Shard, state.State.Names.Count);
        await state.WriteStateAsync();
        _unwritten = false;
    }

    public Task<string[]> GetNamesAsync() => Task.FromResult(_names ??= state.State.Names.ToArray());

    public Task<MetricLayout[]> GetLayoutsAsync() =>
        Task.FromResult(_layouts ??= state.State.Names.Select(Layout).ToArray());

    public Task<MetricLayout?> GetLayoutAsync(string metricName) =>
        Task.FromResult(state.State.Names.Contains(metricName) ? Layout(metricName) : null);

    public Task<bool> IsForgottenAsync(string grainKey) => Task.FromResult(state.State.Forgotten.ContainsKey(grainKey));

    public Task WakeAsync() => Task.CompletedTask;

    private MetricLayout Layout(string name) => state.State.Shards.TryGetValue(name, out var s)
        ? new MetricLayout(name, s.Unsharded, s.Span, s.AutoShards)
        : new MetricLayout(name, Unsharded: true, ShardSpan: 0, AutoShards: 0);

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SweepOnceAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // What it removed stays removed in memory and is written by the next sweep; forgets wait for that write.
            logger.LogWarning(e, "Metric catalog shard {Shard}: the retention sweep failed; retrying in {Interval}",
                Shard, CatalogRetention.SweepInterval(_retention));
        }
    }

    /// <summary>
    /// Forgets the keys idle for longer than the retention, marks the tombstones whose grains deleted their rings,
    /// drops tombstones old enough, writes the state once, then (outside this turn) asks every grain whose tombstone
    /// is not marked yet to delete its ring.
    /// </summary>
    private async Task SweepOnceAsync(CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var expired = ForgetIdleKeys(now);
        var hold = CatalogRetention.TombstoneHold(_retention);
        foreach (var key in _deleted)
        {
            if (state.State.Forgotten.TryGetValue(key, out var tombstone) && !tombstone.Deleted)
            {
                tombstone.Deleted = true;
                _unwritten = true;
            }
        }
        _deleted.Clear();
        foreach (var (key, tombstone) in state.State.Forgotten.ToList())
        {
            if (!tombstone.Deleted || now - tombstone.ForgottenAt <= hold) continue;
            state.State.Forgotten.Remove(key);
            _unwritten = true;
        }
        if (expired.Count > 0)
        {
            _names = null;
            _layouts = null;
            metrics.Names(Shard, state.State.Names.Count);
        }
        if (_unwritten)
        {
            await state.WriteStateAsync(cancellationToken);
            _unwritten = false;
        }
        if (expired.Count > 0)
        {
            metrics.Expired(expired.Count);
            logger.LogInformation("Metric catalog shard {Shard}: {Count} metric grains without exemplars for longer than {Retention} forgotten, e.g. {Example}",
                Shard, expired.Count, _retention, expired[0]);
        }
        if (!_forgetting.IsCompleted) return;
        var pending = state.State.Forgotten.Where(p => !p.Value.Deleted).Select(p => p.Key).ToArray();
        if (pending.Length > 0) _forgetting = DeleteRingsAsync(pending);
    }

    /// <summary>Takes the keys last seen too long ago out of the catalog, each with a tombstone; returns them.</summary>
    private List<string> ForgetIdleKeys(DateTime now)
    {
        var idleBefore = CatalogRetention.IdleBefore(now, _retention);
        var expired = state.State.LastSeen.Where(p => p.Value < idleBefore).Select(p => p.Key).ToList();
        if (expired.Count == 0) return expired;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in expired)
        {
            state.State.LastSeen.Remove(key);
            state.State.Forgotten[key] = new ForgottenGrain { ForgottenAt = now };
            _deleted.Remove(key);
            _labels.Forget(key);
            names.Add(MetricShardRouter.ParseKey(key).Metric);
        }
        foreach (var name in names) Reshape(name);
        _unwritten = true;
        return expired;
    }

    /// <summary>
    /// Brings a name's layout down to its live keys: the plain grain while its key is live, the shards up to the highest
    /// live one (a forgotten shard below it stays listed and answers empty); a name with no live key leaves the catalog.
    /// </summary>
    private void Reshape(string name)
    {
        if (!state.State.Names.Contains(name)) return;
        var layout = Layout(name);
        var live = state.State.LastSeen;
        var unsharded = layout.Unsharded && live.ContainsKey(MetricShardRouter.PlainKey(name));
        var span = layout.ShardSpan;
        while (span > 0 && !live.ContainsKey(MetricShardRouter.ShardKey(name, span - 1))) span--;
        if (!unsharded && span == 0)
        {
            state.State.Names.Remove(name);
            state.State.Shards.Remove(name);
            return;
        }
        if (!state.State.Shards.TryGetValue(name, out var shard)) state.State.Shards[name] = shard = new MetricShardState();
        shard.Unsharded = unsharded;
        shard.Span = span;
    }

    /// <summary>
    /// Asks forgotten grains to delete their rings, a few at a time. Runs after the sweep's turn, interleaved with this
    /// shard's calls (it touches only <see cref="_deleted"/>); a grain that fails is asked again by the next sweep, and
    /// one that refuses (it stored an exemplar meanwhile) registers again, which lifts its tombstone.
    /// </summary>
    private async Task DeleteRingsAsync(string[] keys)
    {
        using var calls = new SemaphoreSlim(ForgetCallsInFlight);
        var failed = 0;
        Exception? first = null;
        async Task DeleteAsync(string key)
        {
            await calls.WaitAsync();
            try
            {
                if (await GrainFactory.GetGrain<IMetricGrain>(key).ForgetAsync(_retention)) _deleted.Add(key);
            }
            catch (Exception e)
            {
                failed++;
                first ??= e;
            }
            finally
            {
                calls.Release();
            }
        }
        await Task.WhenAll(keys.Select(DeleteAsync));
        if (failed > 0)
        {
            logger.LogWarning(first, "Metric catalog shard {Shard}: {Failed} of {Count} forgotten metric grains could not delete their rings; asking again at the next sweep",
                Shard, failed, keys.Length);
        }
    }
}
