using System.Text.Json;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// The real VictoriaMetrics 1.79 from Debian on a free loopback port, its data in a temporary directory. It can be
/// stopped and started again on the same port and data, to play a TSDB outage.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly string _binary;
    private readonly string _dir;
    private ServerProcess? _process;

    private VictoriaMetricsServer(string binary, string dir, Uri baseAddress)
    {
        _binary = binary;
        _dir = dir;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public Uri WriteUrl => new(BaseAddress, "api/v1/write");
    public HttpClient Http { get; }
    public string Log => _process?.Log ?? "";

    public static async Task<VictoriaMetricsServer> StartAsync()
    {
        var binary = RequiredComponent.Binary("victoria-metrics", "Debian package 'victoria-metrics'");
        var dir = Directory.CreateTempSubdirectory("oe-victoria-").FullName;
        var server = new VictoriaMetricsServer(binary, dir, new Uri($"http://127.0.0.1:{FreePort.Next()}/"));
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) return;
        _process = await ServerProcess.StartAsync(_binary,
        [
            $"-httpListenAddr={BaseAddress.Authority}", $"-storageDataPath={_dir}", "-retentionPeriod=100y",
            "-search.latencyOffset=0s", "-loggerLevel=WARN",
        ], new Uri(BaseAddress, "health"), TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the process as an operator would (an outage); <see cref="StartAgainAsync"/> brings it back with its data.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.StopGracefullyAsync();
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Every (series, timestamp, value) stored for series matching <paramref name="match"/>, in stored order.</summary>
    public async Task<List<ExportedSeries>> ExportAsync(string match)
    {
        using (await Http.GetAsync("internal/force_flush")) { }
        var body = await Http.GetStringAsync("api/v1/export?match[]=" + Uri.EscapeDataString(match));
        var result = new List<ExportedSeries>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var labels = json.RootElement.GetProperty("metric").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetString()!);
            // A staleness marker (Prometheus' stale NaN, which vmagent sends when a scrape fails) is exported as null.
            var values = json.RootElement.GetProperty("values").EnumerateArray()
                .Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();
            var timestamps = json.RootElement.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64()).ToArray();
            result.Add(new ExportedSeries(labels, timestamps.Zip(values).ToList()));
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public sealed record ExportedSeries(Dictionary<string, string> Labels, List<(long Timestamp, double Value)> Points);
}
