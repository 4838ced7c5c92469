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
    /// <summary>Segments where a CRC mismatch or a read error stopped the replay at the last good record.</summary>
    public int CorruptSegments { get; internal set; }
    /// <summary>Records whose frame was intact but whose payload did not decode (see <see cref="WalExemplarRecord"/>).</summary>
    public int UndecodableRecords { get; internal set; }
    /// <summary>Exemplars read from decodable records.</summary>
    public long Exemplars { get; internal set; }
    /// <summary>Batches the exemplars were handed over in (<see cref="WalRecovery.ReadBatches"/>).</summary>
    public int Batches { get; internal set; }
    /// <summary>Most exemplars held at once between reading them and handing them over.</summary>
    public int PeakHeldExemplars { get; internal set; }
    public List<string> Problems { get; } = [];
}

/// <summary>
/// Reads the records of a WAL directory, oldest first, one segment at a time and one record in memory at a time,
/// stopping each segment at its first bad frame.
/// </summary>
public static class WalReader
{
    /// <param name="fromLsn">Records before it are skipped (segments wholly before it are not opened).</param>
    /// <param name="untilLsn">Reading stops at the first record at or after it (a log still being written is read up
    /// to a position known to be durable).</param>
    public static IEnumerable<WalRecord> Replay(string directory, WalReplayStats? stats = null, int maxRecordBytes = int.MaxValue,
        long fromLsn = 0, long untilLsn = long.MaxValue)
    {
        stats ??= new WalReplayStats();
        var segments = WalSegments.List(directory);
        for (var i = 0; i < segments.Count; i++)
        {
            var (firstLsn, path) = segments[i];
            if (firstLsn >= untilLsn) yield break;
            if (i + 1 < segments.Count && segments[i + 1].FirstLsn <= fromLsn) continue;
            foreach (var record in ReplaySegment(path, firstLsn, stats, maxRecordBytes, untilLsn))
            {
                if (record.Lsn >= fromLsn) yield return record;
            }
        }
    }

    private static IEnumerable<WalRecord> ReplaySegment(string path, long firstLsn, WalReplayStats stats, int maxRecordBytes, long untilLsn)
    {
        using var file = Open(path, stats);
        if (file is null) yield break;
        var header = new byte[WalFrame.HeaderBytes];
        long position = 0;
        while (firstLsn + position < untilLsn)
        {
            var payload = ReadFrame(file, path, position, header, maxRecordBytes, stats);
            if (payload is null) yield break;
            stats.Records++;
            stats.Bytes += payload.Length;
            yield return new WalRecord(firstLsn + position, payload);
            position += WalFrame.HeaderBytes + payload.Length;
        }
    }

    private static FileStream? Open(string path, WalReplayStats stats)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return null; // deleted (truncated) since it was listed
        }
        catch (IOException e)
        {
            Unreadable(path, 0, e, stats);
            return null;
        }
    }

    /// <summary>The payload of the frame at <paramref name="position"/>, or null where the segment's good records end.</summary>
    private static byte[]? ReadFrame(FileStream file, string path, long position, byte[] header, int maxRecordBytes, WalReplayStats stats)
    {
        try
        {
            var read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read == 0) return null;
            var (length, crc) = WalFrame.ReadHeader(header);
            if (read < header.Length || length < 0 || length > maxRecordBytes || position + WalFrame.HeaderBytes + length > file.Length)
            {
                // A frame reaching past the end is what a crash during a write leaves behind.
                stats.TornTails++;
                stats.Problems.Add($"{Path.GetFileName(path)}: torn frame at offset {position}, ignored");
                return null;
            }
            var payload = new byte[length];
            file.ReadExactly(payload);
            if (WalFrame.Crc32C(payload) == crc) return payload;
            stats.CorruptSegments++;
            stats.Problems.Add($"{Path.GetFileName(path)}: CRC mismatch at offset {position}; the rest of the segment is skipped");
            return null;
        }
        catch (IOException e)
        {
            Unreadable(path, position, e, stats);
            return null;
        }
    }

    /// <summary>A disk that fails reads (EIO) damages a segment as a flipped bit does: the rest of it is skipped, the next one read.</summary>
    private static void Unreadable(string path, long position, IOException e, WalReplayStats stats)
    {
        stats.CorruptSegments++;
        stats.Problems.Add($"{Path.GetFileName(path)}: read failed at offset {position} ({e.Message}); the rest of the segment is skipped");
    }
}
