namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// Why the WAL could not write: which operation on which file failed, and when. While one is set the log takes no
/// record for sure (appends may fail), and readiness says so.
/// </summary>
public sealed record WalFault(string Operation, string Path, Exception Error, DateTimeOffset At)
{
    public string Message => $"{Operation} {Path} failed: {Error.Message}";

    /// <summary>The failure was a directory fsync (counted apart: the disk lost a file's name, not just its bytes).</summary>
    public bool IsDirectorySync => Error is WalDirectorySyncException;
}
