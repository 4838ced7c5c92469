using System.IO;
using System.Threading.Channels;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// The silo's exemplar write-ahead log: appends are framed (<see cref="WalFrame"/>), gathered for
/// <see cref="WalOptions.GroupCommitWindow"/>, written and fsync'd together, and only then acknowledged, so a caller
/// that awaited <see cref="AppendAsync"/> knows its record survives a crash. Segments rotate at
/// <see cref="WalOptions.SegmentBytes"/> and are deleted by <see cref="TruncateBefore"/> once everything in them is
/// persisted elsewhere. A plain class: the grains and the silo wrap it.
/// </summary>
public sealed class ExemplarWal : IAsyncDisposable
{
    private readonly WalOptions _options;
    private readonly string _directory;
    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private FileStream _segment;
    private long _segmentFirstLsn;
    private long _nextLsn;

    private ExemplarWal(WalOptions options, string directory, long nextLsn)
    {
        _options = options;
        _directory = directory;
        _nextLsn = nextLsn;
        _segmentFirstLsn = nextLsn;
        _segment = OpenSegment(nextLsn);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Position the next record will get.</summary>
    public long NextLsn => Interlocked.Read(ref _nextLsn);

    /// <summary>The directory this log writes its segments to.</summary>
    public string Directory => _directory;

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

    /// <summary>Opens the log in <paramref name="directory"/> with the other settings of <paramref name="options"/>.</summary>
    public static ExemplarWal Open(WalOptions options, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var segments = WalSegments.List(directory);
        // Positions only ever grow: the next one follows the end of the last segment, even an empty one (created just
        // before a crash and never written), whose name is then reused.
        var next = segments.Count == 0 ? 0 : segments[^1].FirstLsn + new FileInfo(segments[^1].Path).Length;
        if (segments.Count > 0 && new FileInfo(segments[^1].Path).Length == 0) File.Delete(segments[^1].Path);
        return new ExemplarWal(options, directory, next);
    }

    /// <summary>Appends one record; completes with its LSN once it is on disk (fsync'd).</summary>
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

    /// <summary>Deletes the segments whose records all lie before <paramref name="lsn"/> (never the one being written).</summary>
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
        return deleted;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _appends.Reader;
        var batch = new List<Pending>();
        var header = new byte[WalFrame.HeaderBytes];
        while (await reader.WaitToReadAsync())
        {
            if (_options.GroupCommitWindow > TimeSpan.Zero) await Task.Delay(_options.GroupCommitWindow);
            while (reader.TryRead(out var pending)) batch.Add(pending);
            try
            {
                var lsns = new long[batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    var payload = batch[i].Record.Span;
                    if (_segment.Length > 0 && _segment.Length + WalFrame.HeaderBytes + payload.Length > _options.SegmentBytes)
                    {
                        Rotate();
                    }
                    lsns[i] = _segmentFirstLsn + _segment.Position;
                    WalFrame.WriteHeader(header, payload);
                    _segment.Write(header);
                    _segment.Write(payload);
                    Interlocked.Exchange(ref _nextLsn, _segmentFirstLsn + _segment.Position);
                }
                _segment.Flush(flushToDisk: true);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(lsns[i]);
            }
            catch (Exception e)
            {
                foreach (var pending in batch) pending.Done.TrySetException(e);
            }
            batch.Clear();
        }
    }

    private void Rotate()
    {
        _segment.Flush(flushToDisk: true);
        var first = _segmentFirstLsn + _segment.Length;
        _segment.Dispose();
        _segment = OpenSegment(first);
        Interlocked.Exchange(ref _segmentFirstLsn, first);
    }

    private FileStream OpenSegment(long firstLsn) =>
        new(WalSegments.PathFor(_directory, firstLsn), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete,
            1 << 16);

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _writer;
        _segment.Flush(flushToDisk: true);
        await _segment.DisposeAsync();
    }

    private sealed record Pending(ReadOnlyMemory<byte> Record, TaskCompletionSource<long> Done);
}
