namespace OrleansExemplars.Tests.Forwarding;

/// <summary>A temporary file, deleted on dispose.</summary>
public sealed class TempFile : IDisposable
{
    public TempFile(string content)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"oe-fwd-{Guid.NewGuid():N}");
        Write(content);
    }

    public string Path { get; }

    public void Write(string content) => File.WriteAllText(Path, content);

    public void Dispose() => File.Delete(Path);
}
