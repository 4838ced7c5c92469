using System.IO;
using System.Diagnostics;
using System.Text;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// The real Prometheus 2.42 from Debian, started on a free loopback port with the remote-write receiver and exemplar
/// storage on, its data in a temporary directory removed at dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, string dir, Uri baseAddress)
    {
        _process = process;
        _dir = dir;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<PrometheusServer> StartAsync(int maxExemplars = 100_000)
    {
        var binary = RequiredComponent.Binary("prometheus", "Debian package 'prometheus'");
        var dir = Directory.CreateTempSubdirectory("oe-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"global:\n  scrape_interval: 1h\nstorage:\n  exemplars:\n    max_exemplars: {maxExemplars}\n");
        var port = FreePort.Next();
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver",
                     "--enable-feature=exemplar-storage", "--log.level=warn",
                 })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("prometheus did not start");
        var server = new PrometheusServer(process, dir, new Uri($"http://127.0.0.1:{port}/"));
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {process.ExitCode}: {server.Log}");
            }
            try
            {
                using var response = await server.Http.GetAsync("-/ready");
                if (response.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"prometheus was not ready within 60 s: {server.Log}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
