using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// fsync through libc, its result checked. Two reasons not to use .NET's own: <see cref="RandomAccess.FlushToDisk"/>
/// and <c>FileStream.Flush(true)</c> return normally when fsync fails on Linux (seen with .NET 10.0.12: fsync answered
/// ENOSPC and EIO, strace shows it, and neither threw), so an acknowledgement would claim a record is on a disk that
/// refused it; and .NET cannot open a directory to fsync it, which is what makes the creation, rename or deletion of a
/// file survive a crash (the file's own fsync covers its bytes, not its name). On Windows .NET's flush reports errors
/// and NTFS journals names; a platform without libc falls back to .NET's flush and skips the directory step.
/// </summary>
public static class WalFsync
{
    private static volatile bool s_libc = !OperatingSystem.IsWindows();

    /// <summary>Makes the file's written bytes durable; throws <see cref="IOException"/> when the disk refuses them.</summary>
    public static void File(SafeFileHandle handle, string path)
    {
        if (!s_libc)
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Native.Fsync((int)handle.DangerousGetHandle()) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_libc = false;
            RandomAccess.FlushToDisk(handle);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Throws <see cref="WalDirectorySyncException"/> when the directory cannot be opened or its fsync fails.</summary>
    public static void Directory(string directory)
    {
        if (!s_libc) return;
        int fd;
        try
        {
            fd = Native.Open(directory, 0 /* O_RDONLY */);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_libc = false;
            return;
        }
        if (fd < 0) throw new WalDirectorySyncException(directory, "open", Marshal.GetLastPInvokeError());
        try
        {
            if (Native.Fsync(fd) != 0) throw new WalDirectorySyncException(directory, "fsync", Marshal.GetLastPInvokeError());
        }
        finally
        {
            Native.Close(fd);
        }
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close")]
        public static extern int Close(int fd);
    }
}

/// <summary>A directory fsync that failed: whatever was created, renamed or deleted in it may not survive a crash.</summary>
public sealed class WalDirectorySyncException(string directory, string call, int errno)
    : IOException($"fsync of directory {directory} failed ({call}: {Marshal.GetPInvokeErrorMessage(errno)}, errno {errno})")
{
    public string DirectoryPath { get; } = directory;

    public int Errno { get; } = errno;
}
