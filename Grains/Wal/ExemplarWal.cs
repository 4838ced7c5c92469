using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// The silo's exemplar write-ahead log: appends are framed (<see cref="WalFrame"/>), gathered for
/// <see cref="WalOptions.GroupCommitWindow"/>, written and fsync'd together, and only then acknowledged, so a caller
/// that awaited <see cref="AppendAsync"/> knows its record survives a crash. Segments rotate at
/// <see cref="WalOptions.SegmentBytes"/> and are deleted by <see cref="TruncateBefore"/> once everything in them is
/// persisted elsewhere. A plain class: the grains and the silo wrap it.
/// </summary>
/// <remarks>
/// I/O errors (ENOSPC, EIO, a failed directory fsync): the batch's appends fail, the segment is cut back to its last
/// fsync'd byte and never written again, and the log goes on in a fresh segment whose name is durable (directory
/// fsync'd) before anything in it is acknowledged. A write that failed half-way can leave part of a frame behind;
/// writing on after it would put a good record behind garbage, where replay stops. While no fresh segment can be opened
/// the log refuses appends, retrying at most once a second; <see cref="Fault"/> says why until a write (or, when idle,
/// a probe write) succeeds again. Writes go straight to the file at explicit offsets (no stream buffer that could
/// keep, and later write, part of a failed record).
/// </remarks>
public sealed class ExemplarWal : IAsyncDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    private const string ProbeFileName = "write-probe.tmp";
    private const int MaxBuffersPerWrite = 1000;

    private readonly WalOptions _options;
    private readonly string _directory;
    private readonly Action<WalFault>? _faulted;
    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>Headers and payloads of one gathered write (pwritev), which takes at most IOV_MAX (1024) buffers at once.</summary>
    private readonly List<ReadOnlyMemory<byte>> _buffers = [];
    private Task _writer = Task.CompletedTask;

    // Written only by the writer (and the constructor); _segmentFirstLsn is also read by TruncateBefore.
    private SafeFileHandle? _segment;
    private long _segmentFirstLsn;
    private long _segmentLength;
    private long _durableLength;
    /// <summary>End of the furthest write attempted in the current segment: a failed one may have reached that far.</summary>
    private long _writeEnd;
    private long _nextLsn;
    private long _retryAt;
    private volatile WalFault? _fault;

    private ExemplarWal(WalOptions options, string directory, long nextLsn, Action<WalFault>? faulted)
    {
        _options = options;
        _directory = directory;
        _faulted = faulted;
        _nextLsn = nextLsn;
    }

    /// <summary>Position the next record will get, or a smaller one: no record still to come lies before it.</summary>
    public long NextLsn => Interlocked.Read(ref _nextLsn);

    /// <summary>The directory this log writes its segments to.</summary>
    public string Directory => _directory;

    /// <summary>Why the log cannot write now; null while it can (its last write, or probe, succeeded).</summary>
    public WalFault? Fault => _fault;

    /// <summary>Bytes on disk: from the first record of the oldest segment still there to the end of the log.</summary>
    public long SizeBytes
    {
        get
        {
            var segments = WalSegments.List(_directory);
            return segments.Count == 0 ? 0 : NextLsn - segments[0].FirstLsn;
        }
    }

    /// <summary>
    /// Opens the log in <see cref="WalOptions.Directory"/>. New records go to a new segment after the existing ones,
    /// so a torn tail left by a crash is never appended to (replay stops there and moves on to the next segment).
    /// </summary>
    public static ExemplarWal Open(WalOptions options) => Open(options, options.Directory);

    /// <summary>
    /// Opens the log in <paramref name="directory"/> with the other settings of <paramref name="options"/>; throws when
    /// its first segment cannot be created and made durable. <paramref name="faulted"/> hears of every I/O error.
    /// </summary>
    public static ExemplarWal Open(WalOptions options, string directory, Action<WalFault>? faulted = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        var segments = WalSegments.List(directory);
        // Positions only ever grow: the next one follows the end of the last segment, even an empty one (created just
        // before a crash and never written), whose name is then reused.
        var next = segments.Count == 0 ? 0 : segments[^1].FirstLsn + new FileInfo(segments[^1].Path).Length;
        if (segments.Count > 0 && new FileInfo(segments[^1].Path).Length == 0) File.Delete(segments[^1].Path);
        var wal = new ExemplarWal(options, directory, next, faulted);
        try
        {
            wal.OpenSegment(next);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            faulted?.Invoke(new WalFault("open a segment in", directory, e, DateTimeOffset.UtcNow));
            throw;
        }
        wal._writer = Task.Run(wal.WriteLoopAsync);
        return wal;
    }

    /// <summary>Appends one record; completes with its LSN once it is on disk (fsync'd), or fails if it may not be.</summary>
    public Task<long> AppendAsync(ReadOnlyMemory<byte> record)
    {
        if (record.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(record),
                $"WAL record of {record.Length} bytes exceeds Wal:MaxRecordBytes ({_options.MaxRecordBytes})");
        }
        var pending = new Pending(record, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_appends.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(ExemplarWal));
        return pending.Done.Task;
    }

    /// <summary>
    /// Deletes the segments whose records all lie before <paramref name="lsn"/> (never the one being written), then
    /// fsyncs the directory; throws <see cref="WalDirectorySyncException"/> when that fails (the deleted segments may
    /// come back after a crash and be replayed again, which is harmless).
    /// </summary>
    public int TruncateBefore(long lsn)
    {
        var deleted = 0;
        var segments = WalSegments.List(_directory);
        for (var i = 0; i + 1 < segments.Count; i++)
        {
            if (segments[i + 1].FirstLsn > lsn || segments[i].FirstLsn == Interlocked.Read(ref _segmentFirstLsn)) break;
            File.Delete(segments[i].Path);
            deleted++;
        }
        if (deleted > 0) WalFsync.Directory(_directory);
        return deleted;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _appends.Reader;
        var batch = new List<Pending>();
        while (await WaitForWorkAsync(reader))
        {
            if (_options.GroupCommitWindow > TimeSpan.Zero && _fault is null) await Task.Delay(_options.GroupCommitWindow);
            while (reader.TryRead(out var pending)) batch.Add(pending);
            if (batch.Count == 0)
            {
                Probe();
                continue;
            }
            Commit(batch);
            batch.Clear();
        }
    }

    /// <summary>Waits for appends; while faulted, wakes at least once per <see cref="RetryInterval"/> to probe.</summary>
    private async Task<bool> WaitForWorkAsync(ChannelReader<Pending> reader)
    {
        if (_fault is null) return await reader.WaitToReadAsync();
        var wait = reader.WaitToReadAsync().AsTask();
        return await Task.WhenAny(wait, Task.Delay(RetryInterval)) != wait || await wait;
    }

    private void Commit(List<Pending> batch)
    {
        if (_segment is null && !TryReopen())
        {
            var refused = new IOException($"the exemplar WAL in {_directory} cannot write: {_fault?.Message}", _fault?.Error);
            foreach (var pending in batch) pending.Done.TrySetException(refused);
            return;
        }
        var lsns = new long[batch.Count];
        var headers = new byte[batch.Count * WalFrame.HeaderBytes];
        var operation = "write";
        try
        {
            for (var i = 0; i < batch.Count;)
            {
                // One gathered write per run of records that fits the current segment; rotate between runs.
                _buffers.Clear();
                var runLength = 0L;
                var segmentFull = false;
                for (; i < batch.Count && _buffers.Count < MaxBuffersPerWrite; i++)
                {
                    var record = batch[i].Record;
                    var frame = WalFrame.HeaderBytes + record.Length;
                    if (_segmentLength + runLength > 0 && _segmentLength + runLength + frame > _options.SegmentBytes)
                    {
                        segmentFull = true;
                        break;
                    }
                    lsns[i] = _segmentFirstLsn + _segmentLength + runLength;
                    var header = headers.AsMemory(i * WalFrame.HeaderBytes, WalFrame.HeaderBytes);
                    WalFrame.WriteHeader(header.Span, record.Span);
                    _buffers.Add(header);
                    if (record.Length > 0) _buffers.Add(record);
                    runLength += frame;
                }
                if (runLength > 0)
                {
                    operation = "write";
                    _writeEnd = _segmentLength + runLength;
                    RandomAccess.Write(_segment!, _buffers, _segmentLength);
                    _segmentLength += runLength;
                    Interlocked.Exchange(ref _nextLsn, _segmentFirstLsn + _segmentLength);
                }
                if (segmentFull)
                {
                    operation = "rotate";
                    Rotate();
                }
            }
            operation = "fsync";
            WalFsync.File(_segment!, SegmentPath(_segmentFirstLsn));
            _durableLength = _segmentLength;
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Done.TrySetException(e);
            Failed(operation, e);
            return;
        }
        finally
        {
            _buffers.Clear();
        }
        _fault = null;
        for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(lsns[i]);
    }

    private void Rotate()
    {
        WalFsync.File(_segment!, SegmentPath(_segmentFirstLsn));
        _durableLength = _segmentLength;
        var next = _segmentFirstLsn + _segmentLength;
        _segment!.Dispose();
        _segment = null;
        OpenSegment(next);
    }

    /// <summary>
    /// After a failed write, fsync or rotation: the current segment (if any) is cut back to what was fsync'd and closed
    /// for good, and a fresh one is opened at a position past anything the failed write may have reached.
    /// </summary>
    private void Failed(string operation, Exception error)
    {
        var path = _segment is null ? _directory : SegmentPath(_segmentFirstLsn);
        Report(new WalFault(operation, path, error, DateTimeOffset.UtcNow));
        var next = NextLsn;
        if (_segment is not null)
        {
            next = Math.Max(next, _segmentFirstLsn + Math.Max(_writeEnd, _segmentLength));
            CloseBroken();
        }
        Interlocked.Exchange(ref _nextLsn, next);
        TryReopen();
    }

    private void CloseBroken()
    {
        var segment = _segment!;
        var path = SegmentPath(_segmentFirstLsn);
        try
        {
            // Best effort: replay ignores a torn tail anyway, and on a failing disk this may fail too.
            RandomAccess.SetLength(segment, _durableLength);
            WalFsync.File(segment, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        segment.Dispose();
        _segment = null;
        if (_durableLength == 0)
        {
            try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Opens a fresh segment unless the last attempt is less than <see cref="RetryInterval"/> ago.</summary>
    private bool TryReopen()
    {
        if (Stopwatch.GetTimestamp() < _retryAt) return false;
        try
        {
            OpenSegment(NextLsn);
            return true;
        }
        catch (Exception e)
        {
            Report(new WalFault("open a segment in", _directory, e, DateTimeOffset.UtcNow));
            _retryAt = Stopwatch.GetTimestamp() + (long)(RetryInterval.TotalSeconds * Stopwatch.Frequency);
            return false;
        }
    }

    /// <summary>
    /// Creates the segment starting at <paramref name="firstLsn"/> (or past a leftover file of a failed attempt) and
    /// fsyncs the directory, so no record is acknowledged in a file whose name a crash could lose.
    /// </summary>
    private void OpenSegment(long firstLsn)
    {
        while (File.Exists(SegmentPath(firstLsn))) firstLsn += Math.Max(1, new FileInfo(SegmentPath(firstLsn)).Length);
        var path = SegmentPath(firstLsn);
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
        try
        {
            WalFsync.Directory(_directory);
        }
        catch
        {
            handle.Dispose();
            try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
        _segment = handle;
        _segmentLength = _durableLength = _writeEnd = 0;
        Interlocked.Exchange(ref _segmentFirstLsn, firstLsn);
        if (firstLsn > NextLsn) Interlocked.Exchange(ref _nextLsn, firstLsn);
    }

    /// <summary>While faulted and idle: can the directory take a write and an fsync again? Then the fault is over.</summary>
    private void Probe()
    {
        if (_fault is null || (_segment is null && !TryReopen())) return;
        var path = Path.Combine(_directory, ProbeFileName);
        try
        {
            using (var probe = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
            {
                RandomAccess.Write(probe, new byte[4096], 0);
                WalFsync.File(probe, path);
            }
            File.Delete(path);
            _fault = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(path); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            _fault = new WalFault("probe write to", path, e, DateTimeOffset.UtcNow);
        }
    }

    private void Report(WalFault fault)
    {
        _fault = fault;
        _faulted?.Invoke(fault);
    }

    private string SegmentPath(long firstLsn) => WalSegments.PathFor(_directory, firstLsn);

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _writer;
        if (_segment is null) return;
        try
        {
            WalFsync.File(_segment, SegmentPath(_segmentFirstLsn));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Every acknowledged record was fsync'd when it was acknowledged; this one is only for tidiness.
        }
        _segment.Dispose();
        _segment = null;
    }

    private sealed record Pending(ReadOnlyMemory<byte> Record, TaskCompletionSource<long> Done);
}
