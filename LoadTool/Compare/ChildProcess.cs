using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace OrleansExemplars.LoadTool.Compare;

/// <summary>
/// A server the compare command started: its output goes to a log file, it is stopped with SIGTERM (then SIGKILL of
/// its process tree) and only by <see cref="DisposeAsync"/>, which the command runs in a finally block, also on Ctrl-C.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _closed;

    private ChildProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Name { get; }
    public string LogPath { get; }
    public int Id => _process.Id;

    /// <summary>The compare target this process is part of (the silo and the API host are both ours).</summary>
    public CompareTarget Group { get; set; }
    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{name} did not start");
        var child = new ChildProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (!_closed) _log.WriteLine(line);
        }
    }

    /// <summary>Last lines of the log, for error messages.</summary>
    public string Tail(int lines = 15)
    {
        lock (_log)
        {
            if (!_closed) _log.Flush();
        }
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var all = new StreamReader(stream).ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Waits until <paramref name="ready"/> returns true, the process exits (an error) or the time is up.</summary>
    public async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> ready, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} during start-up; log {LogPath}:\n{Tail()}");
            }
            try
            {
                if (await ready(cancellationToken)) return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new TimeoutException($"{Name} was not ready within {within.TotalSeconds:0} s; log {LogPath}:\n{Tail()}");
    }

    /// <summary>Until <paramref name="url"/> answers 2xx.</summary>
    public Task WaitForHttpAsync(Uri url, TimeSpan within, CancellationToken cancellationToken)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return WaitUntilAsync(async ct =>
        {
            using var response = await http.GetAsync(url, ct);
            return response.IsSuccessStatusCode;
        }, within, cancellationToken).ContinueWith(t =>
        {
            http.Dispose();
            return t;
        }, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Until a TCP connection to <paramref name="port"/> on <paramref name="host"/> is accepted.</summary>
    public Task WaitForPortAsync(string host, int port, TimeSpan within, CancellationToken cancellationToken) =>
        WaitUntilAsync(async ct =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host.Trim('[', ']'), port, ct);
            return true;
        }, within, cancellationToken);

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL of the whole tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        try
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            if (kill is not null) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(grace);
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }
    }
}
