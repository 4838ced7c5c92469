namespace OrleansExemplars.Tests.Support;

/// <summary>
/// The real Prometheus 2.42 from Debian, started on a free loopback port with the remote-write receiver and exemplar
/// storage on, its data in a temporary directory removed at dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly string _dir;

    private PrometheusServer(ServerProcess process, string dir, Uri baseAddress)
    {
        _process = process;
        _dir = dir;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public string Log => _process.Log;

    /// <param name="extraConfig">
    /// Top-level YAML sections appended to the configuration (<c>scrape_configs:</c>, <c>remote_write:</c>), which may
    /// also override the default 1 h <c>global.scrape_interval</c> per job.
    /// </param>
    /// <param name="extraArguments">More command-line flags, e.g. <c>--web.enable-admin-api</c>.</param>
    public static async Task<PrometheusServer> StartAsync(int maxExemplars = 100_000, string? extraConfig = null,
        IEnumerable<string>? extraArguments = null)
    {
        var binary = RequiredComponent.Binary("prometheus", "Debian package 'prometheus'");
        var dir = Directory.CreateTempSubdirectory("oe-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"global:\n  scrape_interval: 1h\nstorage:\n  exemplars:\n    max_exemplars: {maxExemplars}\n" + extraConfig);
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var process = await ServerProcess.StartAsync(binary,
        [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address={baseAddress.Authority}", "--web.enable-remote-write-receiver",
            "--enable-feature=exemplar-storage", "--log.level=warn", .. extraArguments ?? [],
        ], new Uri(baseAddress, "-/ready"), TimeSpan.FromSeconds(60));
        return new PrometheusServer(process, dir, baseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
