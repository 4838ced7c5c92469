using System.Collections.Concurrent;
using System.Text;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Wal;

/// <summary>
/// The WAL on real disks that fail: a tmpfs that fills up (ENOSPC), one that also runs out of inodes (no fresh segment
/// can be made), and an ext4 whose block device stops taking new blocks (fsync fails with EIO/ENOSPC). What was
/// acknowledged must read back, nothing after a failure may sit behind garbage, and the log must write again once the
/// disk does.
/// </summary>
public sealed class ExemplarWalDiskFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static byte[] Record(int i) => Encoding.UTF8.GetBytes($"record-{i}-").Concat(Enumerable.Repeat((byte)(i % 251), 1500)).ToArray();

    private static int Number(byte[] payload) => int.Parse(Encoding.UTF8.GetString(payload).Split('-')[1]);

    /// <summary>Appends one record at a time; returns the numbers acknowledged (the others failed).</summary>
    private static async Task<(List<int> Acked, List<Exception> Failed)> AppendAsync(ExemplarWal wal, int first, int count)
    {
        var acked = new List<int>();
        var failed = new List<Exception>();
        for (var i = first; i < first + count; i++)
        {
            try
            {
                await wal.AppendAsync(Record(i));
                acked.Add(i);
            }
            catch (IOException e)
            {
                failed.Add(e);
            }
        }
        return (acked, failed);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50);
        }
        return true;
    }

    private (List<int> Numbers, WalReplayStats Stats) ReplayAll(string directory)
    {
        var stats = new WalReplayStats();
        var numbers = WalReader.Replay(directory, stats).Select(r => Number(r.Payload)).ToList();
        output.WriteLine($"replay: {stats.Records} records in {WalSegments.List(directory).Count} segments, {stats.TornTails} torn tails, " +
                         $"{stats.CorruptSegments} corrupt; {string.Join("; ", stats.Problems)}");
        return (numbers, stats);
    }

    [Fact]
    public async Task On_a_full_disk_appends_fail_and_after_it_the_log_goes_on_in_a_fresh_segment_that_replays_to_the_end()
    {
        using var disk = TmpfsMount.Create("512k");
        var faults = new ConcurrentQueue<WalFault>();
        var acked = new List<int>();
        await using (var wal = ExemplarWal.Open(new WalOptions { Directory = disk.Path }, disk.Path, faults.Enqueue))
        {
            acked.AddRange((await AppendAsync(wal, 0, 40)).Acked);
            Assert.Equal(40, acked.Count);
            disk.Fill();
            var (duringFull, failed) = await AppendAsync(wal, 40, 40);
            acked.AddRange(duringFull);
            Assert.True(failed.Count > 0, "no append failed on a full disk");
            Assert.NotNull(wal.Fault);
            Assert.Contains("No space left on device", wal.Fault!.Error.Message);

            disk.Free();
            Assert.True(await EventuallyAsync(() => wal.Fault is null), $"still faulted after the space came back: {wal.Fault?.Message}");
            var (after, stillFailing) = await AppendAsync(wal, 80, 40);
            Assert.Empty(stillFailing);
            acked.AddRange(after);
        }
        Assert.NotEmpty(faults);
        var (replayed, stats) = ReplayAll(disk.Path);
        Assert.Equal(0, stats.CorruptSegments);
        Assert.True(WalSegments.List(disk.Path).Count > 1, "the log did not move to a fresh segment after the failure");
        Assert.Empty(acked.Except(replayed));
        Assert.Equal(replayed.Order(), replayed); // in order, each once
        Assert.Equal(replayed.Distinct().Count(), replayed.Count);
    }

    [Fact]
    public async Task When_no_fresh_segment_can_be_made_appends_are_refused_until_the_disk_takes_writes_again()
    {
        using var disk = TmpfsMount.Create("512k", inodes: 64);
        var acked = new List<int>();
        await using (var wal = ExemplarWal.Open(new WalOptions { Directory = disk.Path }, disk.Path))
        {
            acked.AddRange((await AppendAsync(wal, 0, 10)).Acked);
            disk.Fill();
            disk.ExhaustInodes();
            var (duringFull, failed) = await AppendAsync(wal, 10, 30);
            acked.AddRange(duringFull);
            Assert.True(failed.Count > 0, "no append failed on a full disk");
            // The segment it was writing is closed for good and no new file can be made: the log takes nothing.
            Assert.Contains(failed, e => e.Message.Contains("cannot write", StringComparison.Ordinal));
            Assert.Equal("open a segment in", wal.Fault?.Operation);

            disk.Free();
            Assert.True(await EventuallyAsync(() => wal.Fault is null), $"still faulted after the disk recovered: {wal.Fault?.Message}");
            var (after, stillFailing) = await AppendAsync(wal, 40, 20);
            Assert.Empty(stillFailing);
            acked.AddRange(after);
        }
        var (replayed, stats) = ReplayAll(disk.Path);
        Assert.Equal(0, stats.CorruptSegments);
        Assert.Empty(acked.Except(replayed));
    }

    /// <remarks>
    /// What the log can promise on a device that fails writes: no append is acknowledged that the device refused, and
    /// once the device takes writes again so does the log, durably. What the filesystem damages meanwhile is beyond
    /// it: on this ext4 without journal the record fsync'd just before the first failure was found zeroed after the
    /// remount, as with plain libc calls (the kernel reported the device's failure to a later fsync); replay reports
    /// such a segment and goes on.
    /// </remarks>
    [Fact]
    public async Task When_the_device_fails_writes_appends_fail_and_after_it_recovers_what_is_acknowledged_is_on_it()
    {
        using var device = StarvableBlockDevice.Create();
        var directory = Path.Combine(device.Path, "wal");
        var faults = new ConcurrentQueue<WalFault>();
        List<int> before, during, after;
        await using (var wal = ExemplarWal.Open(new WalOptions { Directory = directory, SegmentBytes = 64 * 1024 }, directory, faults.Enqueue))
        {
            before = (await AppendAsync(wal, 0, 20)).Acked;
            Assert.Equal(20, before.Count);
            device.Starve();
            List<Exception> failed;
            (during, failed) = await AppendAsync(wal, 20, 60);
            output.WriteLine($"while the device failed: {during.Count} acknowledged, {failed.Count} failed");
            Assert.True(failed.Count > during.Count, "the device refused new blocks, yet most appends were acknowledged");
            output.WriteLine("faults: " + string.Join(" | ", faults.Select(f => $"{f.Operation}: {f.Error.Message}").Distinct().Take(4)));
            Assert.Contains(faults, f => f.Error.Message.Contains("fsync of", StringComparison.Ordinal) &&
                                         (f.Error.Message.Contains("No space left", StringComparison.Ordinal) ||
                                          f.Error.Message.Contains("Input/output error", StringComparison.Ordinal)));

            device.Feed();
            Assert.True(await EventuallyAsync(() => wal.Fault is null), $"still faulted after the device recovered: {wal.Fault?.Message}");
            List<Exception> stillFailing;
            (after, stillFailing) = await AppendAsync(wal, 80, 20);
            Assert.Empty(stillFailing);
        }
        device.Remount(); // what the page cache held but the device never got is gone now
        var (replayed, stats) = ReplayAll(directory);
        var lostAfter = after.Except(replayed).ToList();
        Assert.True(lostAfter.Count == 0, $"{lostAfter.Count} records acknowledged after the device recovered are not on it");
        output.WriteLine($"records acknowledged before or during the failure that the filesystem did not keep: " +
                         string.Join(", ", before.Concat(during).Except(replayed)));
    }

    [Fact]
    public async Task A_directory_fsync_that_fails_fails_the_open_and_is_reported()
    {
        using var device = StarvableBlockDevice.Create();
        device.Starve();
        // A directory made while the device fails: its first block never reaches it, and its first fsync says so.
        var directory = Directory.CreateDirectory(Path.Combine(device.Path, "wal")).FullName;
        var faults = new ConcurrentQueue<WalFault>();
        var e = await Assert.ThrowsAsync<WalDirectorySyncException>(async () =>
        {
            await using var wal = ExemplarWal.Open(new WalOptions { Directory = directory }, directory, faults.Enqueue);
        });
        output.WriteLine(e.Message);
        Assert.Equal(directory, e.DirectoryPath);
        Assert.Contains("Input/output error", e.Message);
        var fault = Assert.Single(faults);
        Assert.True(fault.IsDirectorySync);
        Assert.Empty(WalSegments.List(directory)); // no segment is left whose name a crash could lose
    }
}
