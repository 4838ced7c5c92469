using System.Diagnostics;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// A real, tiny tmpfs mounted on a fresh temporary directory: a disk that fills up (<see cref="Fill"/>) or turns
/// read-only (<see cref="RemountReadOnly"/>) for real, for the kernel's own ENOSPC and EROFS. Needs root and
/// <c>mount</c>; where mounting is not permitted this fails (it never skips), as every missing test component does.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private const string Filler = "filler.bin";
    private const string InodeFillers = "inode-fillers";

    private TmpfsMount(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <param name="size">tmpfs <c>size=</c>, e.g. <c>256k</c> or <c>2m</c>.</param>
    /// <param name="inodes">tmpfs <c>nr_inodes=</c>: how many files and directories it can hold (0: the kernel's default).</param>
    public static TmpfsMount Create(string size, int inodes = 0)
    {
        var path = Directory.CreateTempSubdirectory("oe-tmpfs-").FullName;
        try
        {
            var options = $"size={size},mode=0777" + (inodes > 0 ? $",nr_inodes={inodes}" : "");
            Run(RequiredComponent.Binary("mount", "util-linux"), "-t", "tmpfs", "-o", options, "tmpfs", path);
        }
        catch
        {
            Directory.Delete(path);
            throw;
        }
        return new TmpfsMount(path);
    }

    /// <summary>Bytes a non-root writer could still add (tmpfs reserves nothing for root).</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a filler file until the kernel answers ENOSPC: the disk is full, to the last page.</summary>
    public void Fill()
    {
        using var file = new FileStream(System.IO.Path.Combine(Path, Filler), FileMode.Append, FileAccess.Write, FileShare.None, 1);
        foreach (var chunk in new[] { 64 * 1024, 4096 })
        {
            var bytes = new byte[chunk];
            try
            {
                while (true) file.Write(bytes);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Creates empty files until the kernel refuses another (ENOSPC for inodes): no new file can be made.</summary>
    public void ExhaustInodes()
    {
        var directory = Directory.CreateDirectory(System.IO.Path.Combine(Path, InodeFillers)).FullName;
        try
        {
            for (var i = 0; i < 1_000_000; i++) File.Create(System.IO.Path.Combine(directory, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Dispose();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Deletes the filler and the inode fillers: the space comes back.</summary>
    public void Free()
    {
        File.Delete(System.IO.Path.Combine(Path, Filler));
        var inodes = System.IO.Path.Combine(Path, InodeFillers);
        if (Directory.Exists(inodes)) Directory.Delete(inodes, recursive: true);
    }

    /// <summary>EROFS for every write from now on. Retried a moment while a file is open for writing (EBUSY).</summary>
    public void RemountReadOnly()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Run(RequiredComponent.Binary("mount", "util-linux"), "-o", "remount,ro", Path);
                return;
            }
            catch (InvalidOperationException) when (attempt < 50)
            {
                Thread.Sleep(20);
            }
        }
    }

    public void RemountWritable() => Run(RequiredComponent.Binary("mount", "util-linux"), "-o", "remount,rw", Path);

    internal static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within 60 s");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', args)} failed (exit {process.ExitCode}): {stderr.Result}{stdout.Result} " +
                "— the disk-fault tests mount real filesystems and need root (they fail rather than skip without it)");
        }
    }

    public void Dispose()
    {
        // Lazy: a process killed by the test may still hold a file there; the kernel detaches it once released.
        try
        {
            Run(RequiredComponent.Binary("umount", "util-linux"), "-l", Path);
        }
        finally
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
