using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.Grains.Wal;

/// <summary>Configuration section <c>Wal</c>: where and how the exemplar write-ahead log writes.</summary>
public sealed class WalOptions
{
    public const string SectionName = "Wal";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Wal:Directory must be set.")]
    public string Directory { get; set; } = "data/wal";

    /// <summary>A segment is closed and a new one started past this size.</summary>
    [Range(4096, int.MaxValue, ErrorMessage = "Wal:SegmentBytes must be between {1} and {2}.")]
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest record accepted; bigger appends are refused with an error, never written half.</summary>
    [Range(1, 1024 * 1024 * 1024, ErrorMessage = "Wal:MaxRecordBytes must be between {1} and {2}.")]
    public int MaxRecordBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long the writer gathers appends before one write and one fsync for all of them.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "Wal:GroupCommitWindow must be between {1} and {2}.")]
    public TimeSpan GroupCommitWindow { get; set; } = TimeSpan.FromMilliseconds(2);
}
