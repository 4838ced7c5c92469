using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// The silo's exemplar WAL as the metric grains and the silo lifecycle see it: grain activations log what they stored
/// and say when they persisted or ended; the log deletes what every activation has persisted, replays what an
/// activation left unpersisted into the grain's live activation, asks grains to persist when it grows past
/// <see cref="WalOptions.MaxBytes"/>, and replays the logs of silos that are gone (its own previous run included).
/// </summary>
public sealed partial class SiloExemplarWal(
    IOptions<WalOptions> walOptions,
    IOptions<ExemplarStorageOptions> storageOptions,
    IGrainFactory grains,
    WalMetrics metrics,
    ILogger<SiloExemplarWal> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Least time an owner may stay unpersisted before the log asks whether its activation still lives.</summary>
    private static readonly TimeSpan MinStaleAfter = TimeSpan.FromSeconds(30);

    private readonly WalOptions _options = walOptions.Value;
    private readonly WalCheckpoints _checkpoints = new();
    private WalDirectory? _directory;
    private ExemplarWal? _wal;
    private CancellationTokenSource? _stopping;
    private Task _background = Task.CompletedTask;
    private DateTime _nextStaleCheck = DateTime.MinValue;

    public bool Enabled => _options.Enabled;

    /// <summary>This run's log directory (null when disabled or not started).</summary>
    public string? DirectoryPath => _directory?.Path;

    /// <summary>Why the log cannot write now; null while it can (or when it is off or closed).</summary>
    public WalFault? Fault => _wal?.Fault;

    /// <summary>A grain activation's identity in this log: what its records are pinned by until it persists.</summary>
    public WalOwner OwnerFor(string metric, Guid activation) => _checkpoints.Owner(metric, activation);

    /// <summary>
    /// Logs <paramref name="stored"/> (exemplars <paramref name="owner"/>'s ring accepted) and completes once the record
    /// is on disk; fails when it may not be. No-op when the log is disabled.
    /// </summary>
    public async Task AppendAsync(WalOwner owner, IReadOnlyList<SeriesExemplars> stored)
    {
        if (!_options.Enabled || stored.Count == 0) return;
        var wal = _wal ?? throw new InvalidOperationException("The exemplar WAL is not open (silo not started or stopping).");
        var record = WalExemplarRecord.Encode(owner.Metric, stored);
        _checkpoints.Logging(owner, wal.NextLsn, DateTime.UtcNow);
        try
        {
            await wal.AppendAsync(record);
        }
        catch
        {
            metrics.AppendFailed();
            throw;
        }
        metrics.Appended(record.Length);
    }

    /// <summary>The activation's stored state now holds everything it logged.</summary>
    public void Persisted(WalOwner owner) => _checkpoints.Persisted(owner);

    /// <summary>
    /// The activation is gone. Records of it its stored state does not hold (it could not write its ring) are replayed
    /// into the grain's live activation, wherever that is, and kept until that one has written them.
    /// </summary>
    public void Ended(WalOwner owner)
    {
        // Closed (silo stopping): the owner stays dirty, so the log is kept and replayed at the next start.
        if (_wal is not { } wal) return;
        if (_checkpoints.Ended(owner, wal.NextLsn)) LogEndedUnpersisted(owner);
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(SiloExemplarWal), ServiceLifecycleStage.RuntimeServices, OpenAsync, CloseAsync);
        lifecycle.Subscribe(nameof(SiloExemplarWal), ServiceLifecycleStage.Active, StartMaintenanceAsync, StopMaintenanceAsync);
    }

    private Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            LogDisabled();
            return Task.CompletedTask;
        }
        var root = Path.GetFullPath(_options.Directory);
        try
        {
            _directory = WalDirectory.Create(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (e is WalDirectorySyncException) metrics.DirectorySyncFailed();
            throw CannotHold(root, e);
        }
        try
        {
            _wal = ExemplarWal.Open(_options, _directory.Path, OnFault); // its faults are counted by OnFault
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _directory.Dispose();
            throw CannotHold(root, e);
        }
        metrics.Observe(() => _wal?.SizeBytes ?? 0, () => _checkpoints.DirtyOwners, () => _wal?.Fault is not null);
        LogOpened(_directory.Path);
        return Task.CompletedTask;
    }

    private static InvalidOperationException CannotHold(string root, Exception e) =>
        new($"Wal:Directory '{root}' cannot hold the exemplar WAL: {e.Message}", e);

    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_wal is null || _directory is null) return;
        await _wal.DisposeAsync();
        _wal = null;
        if (_checkpoints.DirtyOwners == 0)
        {
            // Every grain wrote its ring on deactivation: nothing left to replay.
            DeleteDirectory(_directory);
            LogClosedClean(_directory.Path);
        }
        else
        {
            _directory.Dispose();
            LogClosedDirty(_directory.Path, _checkpoints.DirtyOwners);
        }
    }

    /// <summary>Deletes a log directory; a failed fsync of the root is counted and logged (the log may reappear after a crash and be replayed again).</summary>
    private void DeleteDirectory(WalDirectory directory)
    {
        try
        {
            directory.Delete();
        }
        catch (WalDirectorySyncException e)
        {
            metrics.DirectorySyncFailed();
            LogDirectorySyncFailed(e, "deleting the log directory " + directory.Name);
        }
    }

    private DateTime _lastFaultLogged = DateTime.MinValue;
    private string? _lastFaultOperation;

    /// <summary>Every I/O error of the log: counted, and logged (the same operation failing again at most every 10 s).</summary>
    private void OnFault(WalFault fault)
    {
        if (fault.IsDirectorySync) metrics.DirectorySyncFailed();
        var now = DateTime.UtcNow;
        if (fault.Operation == _lastFaultOperation && now - _lastFaultLogged < TimeSpan.FromSeconds(10)) return;
        _lastFaultOperation = fault.Operation;
        _lastFaultLogged = now;
        LogFault(fault);
    }

    private Task StartMaintenanceAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled) return Task.CompletedTask;
        _stopping = new CancellationTokenSource();
        _background = Task.Run(() => MaintainAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopMaintenanceAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null) return;
        await _stopping.CancelAsync();
        try
        {
            await _background.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
        _stopping = null;
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        var lastScan = Stopwatch.StartNew();
        var scanDue = true;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (scanDue || lastScan.Elapsed >= _options.OrphanScanInterval)
                {
                    await RecoverOrphansAsync(stopping);
                    lastScan.Restart();
                    scanDue = false;
                }
                await RehomeAsync(stopping);
                await CheckpointAsync(stopping);
                await Task.Delay(_options.CheckpointInterval, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogMaintenanceFailed(e);
                await Task.Delay(_options.CheckpointInterval, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Deletes segments every owner has persisted; asks owners unpersisted for long whether their activation still
    /// lives; past the size bound, asks the oldest owners to persist.
    /// </summary>
    private async Task CheckpointAsync(CancellationToken stopping)
    {
        var wal = _wal;
        if (wal is null) return;
        Truncate(wal);
        await FindGoneOwnersAsync(wal, stopping);
        if (wal.SizeBytes <= _options.MaxBytes) return;

        var segments = WalSegments.List(wal.Directory);
        if (segments.Count < 2) return;
        // Persisting whoever holds records in the oldest segment lets it go.
        var owners = _checkpoints.OwnersBefore(segments[1].FirstLsn);
        LogOverSize(wal.SizeBytes, _options.MaxBytes, owners.Count);
        await PersistOwnersAsync(wal, owners, stopping);
        Truncate(wal);
    }

    private void Truncate(ExemplarWal wal)
    {
        try
        {
            metrics.Truncated(wal.TruncateBefore(_checkpoints.SafeTruncationPoint(() => wal.NextLsn)));
        }
        catch (WalDirectorySyncException e)
        {
            // The segments are gone; a crash may bring them back, to be replayed once more (harmless). The next
            // directory fsync (a rotation or truncation) makes their deletion durable.
            metrics.DirectorySyncFailed();
            LogDirectorySyncFailed(e, "deleting persisted segments");
        }
    }

    /// <summary>
    /// A healthy activation writes its ring every <c>Exemplars:PersistInterval</c>; an owner unpersisted for three of
    /// them (at least 30 s) either cannot write (storage down: it stays) or is gone without having said so — its grain
    /// answers from another activation now, and the records are replayed there.
    /// </summary>
    private async Task FindGoneOwnersAsync(ExemplarWal wal, CancellationToken stopping)
    {
        var now = DateTime.UtcNow;
        if (now < _nextStaleCheck) return;
        var staleAfter = TimeSpan.FromTicks(Math.Max(MinStaleAfter.Ticks, storageOptions.Value.PersistInterval.Ticks * 3));
        _nextStaleCheck = now + staleAfter / 3;
        await PersistOwnersAsync(wal, _checkpoints.LiveSince(now - staleAfter), stopping);
    }

    /// <summary>
    /// Asks each owner's grain to persist. The grain answers with its live activation: when that is not the owner, the
    /// owner is gone and its records are replayed into the live one (<see cref="RehomeAsync"/>).
    /// </summary>
    private async Task PersistOwnersAsync(ExemplarWal wal, IReadOnlyList<WalOwner> owners, CancellationToken stopping)
    {
        var failures = 0;
        await Parallel.ForEachAsync(owners, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stopping },
            async (owner, _) =>
            {
                try
                {
                    var live = await grains.GetGrain<IMetricGrain>(owner.Metric).PersistAsync();
                    if (live != owner.Activation && _checkpoints.Ended(owner, wal.NextLsn)) LogFoundGone(owner, live);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (Interlocked.Increment(ref failures) == 1) LogPersistRequestFailed(e, owner.Metric, owners.Count);
                }
            });
    }
}
