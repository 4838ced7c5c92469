namespace OrleansExemplars.Tests.Support;

/// <summary>
/// The real vmagent 1.79 from Debian (package <c>victoria-metrics</c>) on a free loopback port: a remote-write relay
/// with an on-disk queue that can also scrape targets. Its queue lives in a temporary directory.
/// </summary>
public sealed class VmagentServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ServerProcess _process;

    private VmagentServer(string dir, Uri baseAddress, ServerProcess process)
    {
        _dir = dir;
        BaseAddress = baseAddress;
        _process = process;
    }

    public Uri BaseAddress { get; }

    /// <summary>Where vmagent takes remote write (1.0) to relay.</summary>
    public Uri WriteUrl => new(BaseAddress, "api/v1/write");

    public string Log => _process.Log;

    /// <param name="remoteWriteUrl">Where it sends what it receives or scrapes.</param>
    /// <param name="scrapeTarget">A <c>host:port</c> serving <c>/metrics</c> to scrape every second, or none.</param>
    public static async Task<VmagentServer> StartAsync(Uri remoteWriteUrl, string? scrapeTarget = null)
    {
        var binary = RequiredComponent.Binary("vmagent", "Debian package 'victoria-metrics'");
        var dir = Directory.CreateTempSubdirectory("oe-vmagent-").FullName;
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var arguments = new List<string>
        {
            $"-httpListenAddr={baseAddress.Authority}", $"-remoteWrite.url={remoteWriteUrl}",
            $"-remoteWrite.tmpDataPath={Path.Combine(dir, "queue")}", "-remoteWrite.flushInterval=200ms", "-loggerLevel=WARN",
        };
        if (scrapeTarget is not null)
        {
            var config = Path.Combine(dir, "scrape.yml");
            await File.WriteAllTextAsync(config, $"""
                scrape_configs:
                  - job_name: demo
                    scrape_interval: 1s
                    static_configs:
                      - targets: ['{scrapeTarget}']

                """);
            arguments.Add($"-promscrape.config={config}");
        }
        try
        {
            var process = await ServerProcess.StartAsync(binary, arguments, new Uri(baseAddress, "health"), TimeSpan.FromSeconds(60));
            return new VmagentServer(dir, baseAddress, process);
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopGracefullyAsync();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
