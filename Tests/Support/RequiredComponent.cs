namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Finds a real component the tests run against. Missing is a failure, never a skip: ./test.sh installs them.
/// </summary>
public static class RequiredComponent
{
    public static string Binary(string name, string installedBy)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Append("/usr/bin").Append("/usr/local/bin"))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException(
            $"'{name}' was not found on PATH: it is a required test component ({installedBy}); run ./test.sh, which installs it.");
    }
}
