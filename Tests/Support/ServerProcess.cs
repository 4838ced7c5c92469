using System.Diagnostics;
using System.Text;

namespace OrleansExemplars.Tests.Support;

/// <summary>A real server binary started for a test: its output kept for failure messages, ready when a URL answers.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process) => _process = process;

    public string Log { get { lock (_log) return _log.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <paramref name="binary"/> and waits until <paramref name="readyUrl"/> answers 2xx (any HTTP answer with
    /// <paramref name="anyAnswer"/>).
    /// </summary>
    /// <param name="handler">For the readiness check, e.g. one that trusts a test certificate; default: HttpClient's.</param>
    public static async Task<ServerProcess> StartAsync(string binary, IEnumerable<string> arguments, Uri readyUrl,
        TimeSpan within, bool anyAnswer = false, HttpMessageHandler? handler = null)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{binary} did not start");
        var server = new ServerProcess(process);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{binary} exited with {process.ExitCode}: {server.Log}");
            }
            try
            {
                using var response = await http.GetAsync(readyUrl);
                if (anyAnswer || response.IsSuccessStatusCode) return server;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"{binary} was not ready within {within.TotalSeconds:0} s: {server.Log}");
    }

    /// <summary>SIGTERM, so the server flushes what it acknowledged (as a restart would); killed after 30 s.</summary>
    public async Task StopGracefullyAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
