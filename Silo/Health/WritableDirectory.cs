namespace OrleansExemplars.Silo.Health;

/// <summary>Proves a directory takes writes: creates it if need be, writes and flushes a small file, deletes it.</summary>
internal static class WritableDirectory
{
    public static async Task ProbeAsync(string directory, string fileName, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        try
        {
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await file.WriteAsync("ok\n"u8.ToArray(), cancellationToken);
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
