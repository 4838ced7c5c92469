namespace OrleansExemplars.Tests.Support;

/// <summary>
/// A real ext4 filesystem (no journal) on a loop device whose sparse image lives on a small tmpfs. While the tmpfs has
/// room it is an ordinary disk; once <see cref="Starve"/> fills the tmpfs, every block the filesystem writes for the
/// first time fails in the loop device, and the kernel reports it as a disk does: fsync of a file or a directory
/// returns EIO or ENOSPC although the writes before it were accepted into the page cache (the files and directories
/// made while starved have their inodes in blocks never written, so a directory fsync fails too). <see cref="Feed"/>
/// gives the room back. Needs root, <c>losetup</c> and <c>mkfs.ext4</c>; fails (never skips) without them.
/// </summary>
public sealed class StarvableBlockDevice : IDisposable
{
    private readonly TmpfsMount _backing;
    private readonly string _loopDevice;

    private StarvableBlockDevice(TmpfsMount backing, string loopDevice, string path)
    {
        _backing = backing;
        _loopDevice = loopDevice;
        Path = path;
    }

    /// <summary>Where the ext4 filesystem is mounted.</summary>
    public string Path { get; }

    public static StarvableBlockDevice Create()
    {
        var backing = TmpfsMount.Create("8m");
        string? loop = null;
        var mountPoint = System.IO.Path.Combine(backing.Path, "mnt");
        try
        {
            var image = System.IO.Path.Combine(backing.Path, "disk.img");
            using (var file = new FileStream(image, FileMode.CreateNew)) file.SetLength(64L * 1024 * 1024); // sparse: far more than the tmpfs holds
            TmpfsMount.Run(RequiredComponent.Binary("mkfs.ext4", "e2fsprogs"), "-q", "-F", "-O", "^has_journal",
                "-E", "lazy_itable_init=1,nodiscard", image);
            loop = RunForOutput(RequiredComponent.Binary("losetup", "util-linux"), "-f", "--show", image);
            Directory.CreateDirectory(mountPoint);
            TmpfsMount.Run(RequiredComponent.Binary("mount", "util-linux"), "-o", "errors=continue,noinit_itable", loop, mountPoint);
            // Use up the inode-table blocks mkfs wrote: the inodes of files made later lie in blocks never written
            // (lazy_itable_init), so a starved device fails their first write too — a directory fsync reports it.
            var used = Directory.CreateDirectory(System.IO.Path.Combine(mountPoint, ".inodes")).FullName;
            for (var i = 0; i < 256; i++) File.Create(System.IO.Path.Combine(used, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Dispose();
            TmpfsMount.Run(RequiredComponent.Binary("sync", "coreutils"));
            return new StarvableBlockDevice(backing, loop, mountPoint);
        }
        catch
        {
            if (loop is not null) TryRun("losetup", "-d", loop);
            backing.Dispose();
            throw;
        }
    }

    /// <summary>Fills the tmpfs under the image: blocks not written before can no longer reach the "disk".</summary>
    public void Starve()
    {
        TmpfsMount.Run(RequiredComponent.Binary("sync", "coreutils"));
        _backing.Fill();
    }

    public void Feed() => _backing.Free();

    /// <summary>Room left under the image.</summary>
    public long BackingFreeBytes => _backing.FreeBytes;

    /// <summary>
    /// Unmounts and mounts the filesystem again: what the page cache held but the "disk" never got is gone, as after a
    /// power cut. Files must be closed.
    /// </summary>
    public void Remount()
    {
        TmpfsMount.Run(RequiredComponent.Binary("umount", "util-linux"), Path);
        TmpfsMount.Run(RequiredComponent.Binary("mount", "util-linux"), "-o", "errors=continue,noinit_itable", _loopDevice, Path);
    }

    private static string RunForOutput(string program, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {error} (needs root)");
        return output;
    }

    private static void TryRun(string program, params string[] args)
    {
        try
        {
            TmpfsMount.Run(RequiredComponent.Binary(program, "util-linux"), args);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Feed();
        TryRun("umount", "-l", Path);
        TryRun("losetup", "-d", _loopDevice);
        _backing.Dispose();
    }
}
