using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Grains.Wal;

/// <summary>Configuration section <c>Wal</c>: where and how the exemplar write-ahead log writes.</summary>
public sealed class WalOptions
{
    public const string SectionName = "Wal";

    /// <summary>
    /// Off only for measurements: without the log, exemplars acknowledged since a grain's last write-behind are lost
    /// when its silo crashes.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Root of the logs. Each silo run writes its own subdirectory and holds a lock on it; a subdirectory nobody holds
    /// belongs to a silo that stopped or crashed and is replayed by whichever silo sharing this root finds it first.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Wal:Directory must be set.")]
    public string Directory { get; set; } = "data/wal";

    /// <summary>A segment is closed and a new one started past this size.</summary>
    [Range(4096, int.MaxValue, ErrorMessage = "Wal:SegmentBytes must be between {1} and {2}.")]
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest record accepted; bigger appends are refused with an error, never written half.</summary>
    [Range(1, 1024 * 1024 * 1024, ErrorMessage = "Wal:MaxRecordBytes must be between {1} and {2}.")]
    public int MaxRecordBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// How long the writer waits, after the first append arrives, for more before one write and one fsync for all of
    /// them. Zero (the default) still commits in groups: whatever arrived during the previous fsync goes in the next,
    /// so groups grow with the load and a lone append waits for nothing; measured faster than 2 ms under HTTP load.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "Wal:GroupCommitWindow must be between {1} and {2}.")]
    public TimeSpan GroupCommitWindow { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Size the log should stay under: past it, the grains whose records are oldest are told to write their rings
    /// now, so the segments holding those records can be deleted. Appends are never refused for size.
    /// </summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "Wal:MaxBytes must be at least {1}.")]
    public long MaxBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>How often persisted segments are deleted and the size bound is checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Wal:CheckpointInterval must be between {1} and {2}.")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Exemplars per replay batch: a log of any size is read and sent to its grains batch by batch (each grain gets
    /// its exemplars in log order), with at most two batches in memory, one being read while the other is delivered.
    /// </summary>
    [Range(100, 10_000_000, ErrorMessage = "Wal:ReplayBatchExemplars must be between {1} and {2}.")]
    public int ReplayBatchExemplars { get; set; } = 100_000;

    /// <summary>How often the root is scanned for logs of silos that are gone.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Wal:OrphanScanInterval must be between {1} and {2}.")]
    public TimeSpan OrphanScanInterval { get; set; } = TimeSpan.FromSeconds(2);
}
