using System.Globalization;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// One silo run's log directory under the WAL root, held through an exclusive lock on its <c>LOCK</c> file for as long
/// as it is open. The operating system drops the lock when the process ends, however it ends, so a directory whose
/// lock can be taken belongs to no running silo: its records are replayed and the directory deleted.
/// </summary>
/// <remarks>
/// .NET takes <see cref="FileShare.None"/> as an advisory <c>flock</c> on Unix, which other processes honour and which
/// also excludes a second open in the same process (test clusters run several silos in one). A new directory is made
/// under a dot-name and renamed once locked, so a scan never claims a directory whose owner is still starting.
/// </remarks>
public sealed class WalDirectory : IDisposable
{
    private const string LockFileName = "LOCK";
    private const string StartingPrefix = ".starting-";

    private readonly FileStream _lock;

    private WalDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>
    /// Creates and locks a new directory for this silo run, its name made durable (the root fsync'd) before any record
    /// goes in: a crash must not lose the directory of a log it acknowledged from. Throws
    /// <see cref="WalDirectorySyncException"/> when that fsync fails.
    /// </summary>
    public static WalDirectory Create(string root)
    {
        if (!Directory.Exists(root))
        {
            Directory.CreateDirectory(root);
            var parent = System.IO.Path.GetDirectoryName(System.IO.Path.TrimEndingDirectorySeparator(root));
            if (!string.IsNullOrEmpty(parent)) WalFsync.Directory(parent);
        }
        var name = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12];
        var starting = System.IO.Path.Combine(root, StartingPrefix + name);
        Directory.CreateDirectory(starting);
        var lockFile = OpenLock(starting) ?? throw new IOException($"could not lock the new WAL directory {starting}");
        var path = System.IO.Path.Combine(root, name);
        try
        {
            Directory.Move(starting, path);
            WalFsync.Directory(root);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
        return new WalDirectory(path, lockFile);
    }

    /// <summary>Locks every directory under <paramref name="root"/> that no running silo holds.</summary>
    public static List<WalDirectory> ClaimOrphans(string root)
    {
        var claimed = new List<WalDirectory>();
        if (!Directory.Exists(root)) return claimed;
        foreach (var path in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (System.IO.Path.GetFileName(path).StartsWith('.')) continue;
            var lockFile = OpenLock(path);
            if (lockFile is not null) claimed.Add(new WalDirectory(path, lockFile));
        }
        return claimed;
    }

    private static FileStream? OpenLock(string directory)
    {
        try
        {
            return new FileStream(System.IO.Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.None);
        }
        catch (IOException)
        {
            return null; // held by a running silo
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the directory with everything in it, releases the lock and fsyncs the root; throws
    /// <see cref="WalDirectorySyncException"/> when that fails (a crash may then bring the directory back, to be
    /// replayed once more: replay is idempotent).
    /// </summary>
    public void Delete()
    {
        foreach (var file in Directory.EnumerateFiles(Path))
        {
            if (System.IO.Path.GetFileName(file) != LockFileName) File.Delete(file);
        }
        File.Delete(System.IO.Path.Combine(Path, LockFileName));
        Directory.Delete(Path, recursive: true);
        _lock.Dispose();
        WalFsync.Directory(System.IO.Path.GetDirectoryName(Path)!);
    }

    public void Dispose() => _lock.Dispose();
}
