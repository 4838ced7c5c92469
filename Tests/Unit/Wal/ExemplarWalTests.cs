using System.Text;
using OrleansExemplars.Grains.Wal;
using Xunit;

namespace OrleansExemplars.Tests.Wal;

public sealed class ExemplarWalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("oe-wal-").FullName;

    private WalOptions Options(long segmentBytes = 64 * 1024 * 1024, int maxRecordBytes = 64 * 1024 * 1024) =>
        new() { Directory = _dir, SegmentBytes = segmentBytes, MaxRecordBytes = maxRecordBytes };

    private static byte[] Record(int i, int size = 100) =>
        Encoding.UTF8.GetBytes($"record-{i}-").Concat(Enumerable.Repeat((byte)(i % 251), size)).ToArray();

    [Fact]
    public async Task Concurrent_appends_are_durable_in_order_with_increasing_positions()
    {
        long[] lsns;
        await using (var wal = ExemplarWal.Open(Options()))
        {
            lsns = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => wal.AppendAsync(Record(i))));
        }
        Assert.Equal(200, lsns.Distinct().Count());
        var replayed = WalReader.Replay(_dir).ToList();
        Assert.Equal(lsns.Order(), replayed.Select(r => r.Lsn));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => Convert.ToHexString(Record(i))).Order(),
            replayed.Select(r => Convert.ToHexString(r.Payload)).Order());
    }

    [Fact]
    public async Task Empty_and_huge_records_round_trip_and_oversized_ones_are_refused_without_harm()
    {
        var huge = new byte[5 * 1024 * 1024];
        new Random(1).NextBytes(huge);
        await using (var wal = ExemplarWal.Open(Options(maxRecordBytes: 6 * 1024 * 1024)))
        {
            await wal.AppendAsync(Array.Empty<byte>());
            await wal.AppendAsync(huge);
            Assert.Throws<ArgumentOutOfRangeException>(() => { _ = wal.AppendAsync(new byte[7 * 1024 * 1024]); });
            await wal.AppendAsync(Record(1));
        }
        var replayed = WalReader.Replay(_dir).Select(r => r.Payload).ToList();
        Assert.Equal(3, replayed.Count);
        Assert.Empty(replayed[0]);
        Assert.Equal(huge, replayed[1]);
        Assert.Equal(Record(1), replayed[2]);
    }

    [Fact]
    public async Task Segments_rotate_and_truncation_drops_only_whole_segments_before_the_position()
    {
        long[] lsns;
        await using (var wal = ExemplarWal.Open(Options(segmentBytes: 4096)))
        {
            lsns = new long[150];
            for (var i = 0; i < 150; i++) lsns[i] = await wal.AppendAsync(Record(i));
            Assert.True(WalSegments.List(_dir).Count > 3);
            Assert.True(wal.TruncateBefore(lsns[60]) > 0);
        }
        var replayed = WalReader.Replay(_dir).ToList();
        // Everything from record 60 on survives; some records before it may share its segment.
        Assert.Equal(lsns.SkipWhile(l => l < replayed[0].Lsn), replayed.Select(r => r.Lsn));
        Assert.Contains(lsns[60], replayed.Select(r => r.Lsn));
        Assert.True(replayed[0].Lsn > lsns[0]);
    }

    [Fact]
    public async Task A_torn_final_record_is_ignored_and_the_log_continues_in_a_new_segment()
    {
        await using (var wal = ExemplarWal.Open(Options()))
        {
            for (var i = 0; i < 5; i++) await wal.AppendAsync(Record(i));
        }
        var segment = WalSegments.List(_dir).Single().Path;
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(file.Length - 7);

        var stats = new WalReplayStats();
        Assert.Equal(4, WalReader.Replay(_dir, stats).Count());
        Assert.Equal(1, stats.TornTails);

        await using (var wal = ExemplarWal.Open(Options()))
        {
            await wal.AppendAsync(Record(99));
        }
        Assert.Equal([0, 1, 2, 3, 99], WalReader.Replay(_dir).Select(r => Encoding.UTF8.GetString(r.Payload).Split('-')[1]).Select(int.Parse));
    }

    [Fact]
    public async Task A_flipped_bit_stops_its_segment_at_the_last_good_record_and_replay_goes_on()
    {
        long[] lsns;
        await using (var wal = ExemplarWal.Open(Options(segmentBytes: 4096)))
        {
            lsns = new long[150];
            for (var i = 0; i < 150; i++) lsns[i] = await wal.AppendAsync(Record(i));
        }
        Assert.True(WalSegments.List(_dir).Count >= 3);
        var (firstLsn, path) = WalSegments.List(_dir)[1];
        var inSegment = lsns.Where(l => l >= firstLsn).Take(3).ToArray();
        var bytes = File.ReadAllBytes(path);
        bytes[inSegment[2] - firstLsn + WalFrame.HeaderBytes + 3] ^= 0x10; // third record of the second segment
        File.WriteAllBytes(path, bytes);

        var stats = new WalReplayStats();
        var replayed = WalReader.Replay(_dir, stats).Select(r => r.Lsn).ToList();
        Assert.Equal(1, stats.CorruptSegments);
        Assert.Contains(inSegment[1], replayed);
        Assert.DoesNotContain(inSegment[2], replayed);
        Assert.Contains(lsns[^1], replayed);
    }

    [Fact]
    public void Crc32c_matches_the_published_check_value() =>
        Assert.Equal(0xE3069283u, WalFrame.Crc32C("123456789"u8));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
