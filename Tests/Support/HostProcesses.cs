using System.Diagnostics;
using System.Text;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// The production hosts as ./run.sh starts them: the Silo and ApiHost programs from their build output, each its own
/// process, configured through environment variables.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <summary>The temporary grain storage directory of a silo started without one (deleted on dispose).</summary>
    private string? _ownedStorageDirectory;

    private HostProcess(Process process) => _process = process;

    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The operating system's id of the process (for <c>/proc/&lt;id&gt;/status</c>).</summary>
    public int ProcessId => _process.Id;

    /// <param name="project">"Silo" or "ApiHost".</param>
    public static HostProcess Start(string project, IDictionary<string, string> environment)
    {
        var dll = Path.Combine(BuildOutput(project), $"OrleansExemplars.{project}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built; build the solution first", dll);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        // The silo's default file grain storage would otherwise persist in its bin directory from run to run.
        string? storage = null;
        if (project == "Silo" && !environment.ContainsKey("Storage__File__Directory"))
        {
            storage = Path.Combine(Path.GetTempPath(), "oe-grains-" + Guid.NewGuid().ToString("N"));
            psi.Environment["Storage__File__Directory"] = storage;
        }
        // A silo's WAL defaults to data/wal under its build output, shared by every test run: keep each test's apart.
        if (project == "Silo" && !environment.ContainsKey("Wal__Directory"))
        {
            psi.Environment["Wal__Directory"] = Directory.CreateTempSubdirectory("oe-test-wal-").FullName;
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{project} did not start");
        var host = new HostProcess(process) { _ownedStorageDirectory = storage };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (host._output) host._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (host._output) host._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>SIGKILL: no shutdown code runs, as when the machine loses power or the OOM killer strikes.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the host's graceful shutdown.</summary>
    public async Task TerminateAsync(TimeSpan within)
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>The project's own bin directory, in the configuration this test assembly was built in.</summary>
    private static string BuildOutput(string project)
    {
        var testBin = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory); // …/Tests/<Lane>/bin/<Configuration>/net10.0
        var configuration = new DirectoryInfo(testBin).Parent!.Name;
        var dir = new DirectoryInfo(testBin);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        if (dir is null) throw new DirectoryNotFoundException("OrleansExemplars.sln not found above " + testBin);
        return Path.Combine(dir.FullName, project, "bin", configuration, "net10.0");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_ownedStorageDirectory is not null && Directory.Exists(_ownedStorageDirectory)) Directory.Delete(_ownedStorageDirectory, recursive: true);
    }
}
