using System.Diagnostics;
using System.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// The silo's exemplar WAL as the metric grains and the silo lifecycle see it: grains log what they stored and say
/// when they persisted; the log deletes what every grain has persisted, asks grains to persist when it grows past
/// <see cref="WalOptions.MaxBytes"/>, and replays the logs of silos that are gone (its own previous run included).
/// </summary>
public sealed partial class SiloExemplarLog(
    IOptions<WalOptions> walOptions,
    IOptions<ExemplarStorageOptions> storageOptions,
    IGrainFactory grains,
    WalMetrics metrics,
    ILogger<SiloExemplarLog> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly WalOptions _options = walOptions.Value;
    private readonly WalCheckpoints _checkpoints = new();
    private WalDirectory? _directory;
    private ExemplarWal? _wal;
    private CancellationTokenSource? _stopping;
    private Task _background = Task.CompletedTask;

    public bool Enabled => _options.Enabled;

    /// <summary>This run's log directory (null when disabled or not started).</summary>
    public string? DirectoryPath => _directory?.Path;

    /// <summary>
    /// Logs <paramref name="stored"/> (exemplars <paramref name="metric"/>'s ring accepted) and completes once the record
    /// is on disk. No-op when the log is disabled.
    /// </summary>
    public async Task AppendAsync(string metric, IReadOnlyList<SeriesExemplars> stored)
    {
        if (!_options.Enabled || stored.Count == 0) return;
        var wal = _wal ?? throw new InvalidOperationException("The exemplar WAL is not open (silo not started or stopping).");
        var record = WalExemplarRecord.Encode(metric, stored);
        _checkpoints.Logging(metric, wal.NextLsn);
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

    /// <summary>The grain's stored state now holds everything it logged.</summary>
    public void Persisted(string metric) => _checkpoints.Persisted(metric);

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(SiloExemplarLog), ServiceLifecycleStage.RuntimeServices, OpenAsync, CloseAsync);
        lifecycle.Subscribe(nameof(SiloExemplarLog), ServiceLifecycleStage.Active, StartMaintenanceAsync, StopMaintenanceAsync);
    }

    private Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            LogDisabled();
            return Task.CompletedTask;
        }
        _directory = WalDirectory.Create(Path.GetFullPath(_options.Directory));
        _wal = ExemplarWal.Open(_options, _directory.Path);
        metrics.Observe(() => _wal?.SizeBytes ?? 0, () => _checkpoints.DirtyOwners);
        LogOpened(_directory.Path);
        return Task.CompletedTask;
    }

    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_wal is null || _directory is null) return;
        await _wal.DisposeAsync();
        _wal = null;
        if (_checkpoints.DirtyOwners == 0)
        {
            // Every grain wrote its ring on deactivation: nothing left to replay.
            _directory.Delete();
            LogClosedClean(_directory.Path);
        }
        else
        {
            _directory.Dispose();
            LogClosedDirty(_directory.Path, _checkpoints.DirtyOwners);
        }
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

    /// <summary>Deletes segments every grain has persisted; past the size bound, asks the oldest dirty grains to persist.</summary>
    private async Task CheckpointAsync(CancellationToken stopping)
    {
        var wal = _wal;
        if (wal is null) return;
        metrics.Truncated(wal.TruncateBefore(_checkpoints.SafeTruncationPoint(() => wal.NextLsn)));
        if (wal.SizeBytes <= _options.MaxBytes) return;

        var segments = WalSegments.List(wal.Directory);
        if (segments.Count < 2) return;
        // Persisting whoever holds records in the oldest segment lets it go.
        var owners = _checkpoints.OwnersBefore(segments[1].FirstLsn);
        LogOverSize(wal.SizeBytes, _options.MaxBytes, owners.Count);
        await Parallel.ForEachAsync(owners, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stopping },
            async (metric, _) => await grains.GetGrain<IMetricGrain>(metric).PersistAsync());
        metrics.Truncated(wal.TruncateBefore(_checkpoints.SafeTruncationPoint(() => wal.NextLsn)));
    }
}
