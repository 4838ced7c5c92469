using System.Diagnostics;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a new temporary directory (the tests run as root), to make a disk fill up for real;
/// unmounted and removed on dispose. With <c>CI=true</c> a machine that cannot mount one fails the test.
/// </summary>
public sealed class TinyTmpfs : IDisposable
{
    private TinyTmpfs(string path) => Path = path;

    public string Path { get; }

    public static TinyTmpfs Mount(string size)
    {
        var path = Directory.CreateTempSubdirectory("oe-tmpfs-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed ({code}): {output}; these tests need root");
        }
        return new TinyTmpfs(path);
    }

    /// <summary>Writes a file until the file system refuses more: what is left is under a page.</summary>
    public void Fill()
    {
        using var file = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create, FileAccess.Write);
        var block = new byte[4096];
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }
    }

    public void Dispose()
    {
        if (Run("umount", Path).Code != 0) Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
