using System.Diagnostics.Metrics;

namespace OrleansExemplars.Grains.Wal;

/// <summary>The exemplar WAL's counters and gauges (<c>oe_wal_*</c>).</summary>
public sealed class WalMetrics
{
    public const string MeterName = "OrleansExemplars.Wal";

    private readonly Counter<long> _records;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _appendFailures;
    private readonly Counter<long> _segmentsTruncated;
    private readonly Counter<long> _orphansRecovered;
    private readonly Counter<long> _replayedExemplars;
    private readonly Counter<long> _replayedRecords;
    private readonly Counter<long> _corruptSegments;
    private readonly Counter<long> _tornTails;
    private readonly Counter<long> _undecodable;
    private readonly Counter<long> _directorySyncFailures;
    private readonly Counter<long> _rehomed;
    private readonly Histogram<double> _replaySeconds;
    private readonly Histogram<int> _replayBatch;
    private Func<long> _size = () => 0;
    private Func<int> _dirtyGrains = () => 0;
    private Func<bool> _faulted = () => false;

    public WalMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _records = meter.CreateCounter<long>("oe_wal_records_appended", description: "Records written and fsync'd to the exemplar WAL.");
        _bytes = meter.CreateCounter<long>("oe_wal_appended", "By", "Payload bytes written to the exemplar WAL.");
        _appendFailures = meter.CreateCounter<long>("oe_wal_append_failures",
            description: "WAL appends that failed; the grain then writes its ring before acknowledging.");
        _segmentsTruncated = meter.CreateCounter<long>("oe_wal_segments_truncated",
            description: "Segments deleted because the grains holding their records had persisted.");
        _orphansRecovered = meter.CreateCounter<long>("oe_wal_orphans_recovered",
            description: "Logs of stopped or crashed silos replayed and deleted.");
        _replayedRecords = meter.CreateCounter<long>("oe_wal_replayed_records", description: "Records read back from logs of silos that are gone.");
        _replayedExemplars = meter.CreateCounter<long>("oe_wal_replayed_exemplars",
            description: "Replayed exemplars the grains did not hold (not in their persisted ring).");
        _corruptSegments = meter.CreateCounter<long>("oe_wal_corrupt_segments",
            description: "Segments whose replay stopped at a CRC mismatch or a read error.");
        _tornTails = meter.CreateCounter<long>("oe_wal_torn_tails", description: "Segments ending in a frame cut short by a crash (ignored).");
        _undecodable = meter.CreateCounter<long>("oe_wal_undecodable_records", description: "Intact records whose payload did not decode.");
        _directorySyncFailures = meter.CreateCounter<long>("oe_wal_directory_sync_failures",
            description: "Directory fsyncs of the WAL that failed (after creating or deleting a segment or a log directory).");
        _rehomed = meter.CreateCounter<long>("oe_wal_rehomed_activations",
            description: "Grain activations that ended without writing their ring whose records were replayed from this log into the grain's live activation and written.");
        _replaySeconds = meter.CreateHistogram<double>("oe_wal_replay_duration", "s", "Time to replay one orphaned log into the grains.");
        _replayBatch = meter.CreateHistogram<int>("oe_wal_replay_batch_exemplars",
            description: "Exemplars one replay batch held in memory before sending them to their grains (at most Wal:ReplayBatchExemplars; two batches at once at most).");
        meter.CreateObservableGauge("oe_wal_faulted", () => _faulted() ? 1 : 0,
            description: "1 while the WAL cannot write (its last write or probe failed): appends fail and grains write their rings before acknowledging.");
        meter.CreateObservableGauge("oe_wal_size_bytes", () => _size(), "By", "Bytes of this silo's WAL on disk.");
        meter.CreateObservableGauge("oe_wal_dirty_grains", () => _dirtyGrains(),
            description: "Grains with WAL records their persisted state does not hold yet.");
        // Exported at 0 from the start (as IngestMetrics): "no corrupt segment yet" is a value, not a missing series.
        foreach (var counter in new[]
                 {
                     _records, _bytes, _appendFailures, _segmentsTruncated, _orphansRecovered, _replayedRecords,
                     _replayedExemplars, _corruptSegments, _tornTails, _undecodable, _directorySyncFailures, _rehomed,
                 })
        {
            counter.Add(0);
        }
    }

    public void Observe(Func<long> size, Func<int> dirtyGrains, Func<bool> faulted)
    {
        _size = size;
        _dirtyGrains = dirtyGrains;
        _faulted = faulted;
    }

    public void DirectorySyncFailed() => _directorySyncFailures.Add(1);

    public void Rehomed(int activations)
    {
        if (activations > 0) _rehomed.Add(activations);
    }

    public void ReplayBatch(int exemplars) => _replayBatch.Record(exemplars);

    public void Appended(int bytes)
    {
        _records.Add(1);
        _bytes.Add(bytes);
    }

    public void AppendFailed() => _appendFailures.Add(1);

    public void Truncated(int segments)
    {
        if (segments > 0) _segmentsTruncated.Add(segments);
    }

    public void Recovered(WalReplayStats stats, long added, TimeSpan elapsed)
    {
        _orphansRecovered.Add(1);
        _replayedRecords.Add(stats.Records);
        _replayedExemplars.Add(added);
        if (stats.CorruptSegments > 0) _corruptSegments.Add(stats.CorruptSegments);
        if (stats.TornTails > 0) _tornTails.Add(stats.TornTails);
        if (stats.UndecodableRecords > 0) _undecodable.Add(stats.UndecodableRecords);
        _replaySeconds.Record(elapsed.TotalSeconds);
    }
}
