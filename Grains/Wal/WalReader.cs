using System.IO;

namespace OrleansExemplars.Grains.Wal;

/// <summary>A record read back from the WAL: its position (LSN) and payload.</summary>
public readonly record struct WalRecord(long Lsn, byte[] Payload);

/// <summary>What a replay found besides records.</summary>
public sealed class WalReplayStats
{
    public long Records { get; internal set; }
    public long Bytes { get; internal set; }
    /// <summary>Segments whose last frame was cut short (a crash mid-write): tolerated, the tail is ignored.</summary>
    public int TornTails { get; internal set; }
    /// <summary>Segments where a CRC mismatch stopped the replay at the last good record.</summary>
    public int CorruptSegments { get; internal set; }
    /// <summary>Records whose frame was intact but whose payload did not decode (see <see cref="WalExemplarRecord"/>).</summary>
    public int UndecodableRecords { get; internal set; }
    /// <summary>Exemplars read from decodable records.</summary>
    public long Exemplars { get; internal set; }
    public List<string> Problems { get; } = [];
}

/// <summary>Reads every record of a WAL directory, oldest first, stopping each segment at its first bad frame.</summary>
public static class WalReader
{
    public static IEnumerable<WalRecord> Replay(string directory, WalReplayStats? stats = null, int maxRecordBytes = int.MaxValue)
    {
        stats ??= new WalReplayStats();
        foreach (var (firstLsn, path) in WalSegments.List(directory))
        {
            foreach (var record in ReplaySegment(path, firstLsn, stats, maxRecordBytes)) yield return record;
        }
    }

    private static IEnumerable<WalRecord> ReplaySegment(string path, long firstLsn, WalReplayStats stats, int maxRecordBytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            1 << 16, FileOptions.SequentialScan);
        var header = new byte[WalFrame.HeaderBytes];
        long position = 0;
        while (true)
        {
            var read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read == 0) yield break;
            var (length, crc) = WalFrame.ReadHeader(header);
            if (read < header.Length || length < 0 || length > maxRecordBytes || position + WalFrame.HeaderBytes + length > file.Length)
            {
                // A frame reaching past the end is what a crash during a write leaves behind.
                stats.TornTails++;
                stats.Problems.Add($"{Path.GetFileName(path)}: torn frame at offset {position}, ignored");
                yield break;
            }
            var payload = new byte[length];
            file.ReadExactly(payload);
            if (WalFrame.Crc32C(payload) != crc)
            {
                stats.CorruptSegments++;
                stats.Problems.Add($"{Path.GetFileName(path)}: CRC mismatch at offset {position}; the rest of the segment is skipped");
                yield break;
            }
            stats.Records++;
            stats.Bytes += length;
            yield return new WalRecord(firstLsn + position, payload);
            position += WalFrame.HeaderBytes + length;
        }
    }
}
