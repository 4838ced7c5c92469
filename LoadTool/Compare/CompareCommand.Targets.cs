using System.Globalization;

namespace OrleansExemplars.LoadTool.Compare;

public static partial class CompareCommand
{
    /// <summary>How each target is started: its binary, flags, data directory and readiness probe.</summary>
    private sealed partial class Run
    {
        /// <summary>Starts the target, waits until it serves, returns its remote-write URL.</summary>
        private async Task<Uri> StartAsync(CompareTarget target)
        {
            var ready = TimeSpan.FromSeconds(90);
            switch (target)
            {
                case CompareTarget.VictoriaMetrics:
                {
                    var b = Base(FreePort());
                    var data = Directory.CreateDirectory(Path.Combine(dir, "victoria-metrics")).FullName;
                    await Say($"starting VictoriaMetrics on {b}");
                    var p = Track(ChildProcess.Start(Name(target), _victoria,
                        [$"-httpListenAddr={b.Authority}", $"-storageDataPath={data}", "-retentionPeriod=100y", "-loggerLevel=WARN"],
                        Log("victoria-metrics")), target);
                    await p.WaitForHttpAsync(new Uri(b, "health"), ready, ct);
                    _bases[target] = b;
                    return new Uri(b, "api/v1/write");
                }
                case CompareTarget.Prometheus:
                {
                    var b = Base(FreePort());
                    var data = Directory.CreateDirectory(Path.Combine(dir, "prometheus")).FullName;
                    var config = Path.Combine(data, "prometheus.yml");
                    // 2.42's key for the exemplar buffer is storage.exemplars.max_exemplars; room for all of the run's.
                    var limit = Math.Max(100_000, 2 * (settings.Requests + settings.Warmup) * Math.Max(1, (long)Math.Ceiling(settings.Series * settings.ExemplarRatio)));
                    await File.WriteAllTextAsync(config,
                        $"global:\n  scrape_interval: 1h\nstorage:\n  exemplars:\n    max_exemplars: {limit.ToString(CultureInfo.InvariantCulture)}\n", ct);
                    await Say($"starting Prometheus on {b} (max_exemplars {limit:N0})");
                    var p = Track(ChildProcess.Start(Name(target), _prometheus,
                    [
                        $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(data, "tsdb")}", $"--web.listen-address={b.Authority}",
                        "--web.enable-remote-write-receiver", "--enable-feature=exemplar-storage", "--log.level=warn",
                    ], Log("prometheus")), target);
                    await p.WaitForHttpAsync(new Uri(b, "-/ready"), ready, ct);
                    _bases[target] = b;
                    return new Uri(b, "api/v1/write");
                }
                case CompareTarget.Vmagent:
                {
                    var b = Base(FreePort());
                    var queue = Directory.CreateDirectory(Path.Combine(dir, "vmagent")).FullName;
                    await Say($"starting vmagent on {b}, relaying to {_null!.WriteUrl} (queue in {queue})");
                    var p = Track(ChildProcess.Start(Name(target), _vmagent,
                        [$"-httpListenAddr={b.Authority}", $"-remoteWrite.url={_null.WriteUrl}", $"-remoteWrite.tmpDataPath={queue}", "-loggerLevel=WARN"],
                        Log("vmagent")), target);
                    await p.WaitForHttpAsync(new Uri(b, "health"), ready, ct);
                    _bases[target] = b;
                    return new Uri(b, "api/v1/write");
                }
                default:
                {
                    var gateway = FreePort();
                    var b = Base(FreePort());
                    var cluster = new Dictionary<string, string>
                    {
                        ["Cluster__ClusterId"] = "compare-" + Guid.NewGuid().ToString("N")[..8],
                        ["Cluster__SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                        ["Cluster__GatewayPort"] = gateway.ToString(CultureInfo.InvariantCulture),
                    };
                    var silo = new Dictionary<string, string>(cluster)
                    {
                        ["Urls"] = Base(FreePort()).ToString().TrimEnd('/'),
                        ["Storage__Provider"] = settings.Storage,
                        ["Storage__File__Directory"] = Directory.CreateDirectory(Path.Combine(dir, "grains")).FullName,
                        ["Wal__Directory"] = Directory.CreateDirectory(Path.Combine(dir, "wal")).FullName,
                    };
                    await Say($"starting the silo (grain storage {settings.Storage}, WAL in {silo["Wal__Directory"]})");
                    // Both hosts read the endpoints: the API host forwards through the silo's forwarders only when it has one.
                    if (_null is not null) cluster["RemoteWrite__Endpoints__0__Url"] = silo["RemoteWrite__Endpoints__0__Url"] = _null.WriteUrl.ToString();
                    var s = Track(ChildProcess.Start("Silo", "dotnet", [_siloDll], Log("silo"), silo, Path.GetDirectoryName(_siloDll)), target);
                    await s.WaitForPortAsync(settings.Host, gateway, ready, ct);
                    await Say($"starting the API host on {b} (ours is written to {(settings.OursWritesToSilo ? "the silo, " + silo["Urls"] : "the API host")})");
                    var api = Track(ChildProcess.Start(Name(target), "dotnet", [_apiDll], Log("apihost"),
                        new Dictionary<string, string>(cluster) { ["Urls"] = b.ToString().TrimEnd('/') }, Path.GetDirectoryName(_apiDll)), target);
                    // Serving when a query reaches the grains (the API host answers /-/ready before it has a gateway).
                    await api.WaitForHttpAsync(new Uri(b, "api/v1/query_exemplars?query=up&start=0&end=1"), ready, ct);
                    _bases[target] = b;
                    // The silo takes remote write itself (Api:ServeOnSilo): its exemplars reach the grains in its process.
                    return settings.OursWritesToSilo ? new Uri(new Uri(silo["Urls"] + "/"), "api/v1/write") : new Uri(b, "api/v1/write");
                }
            }
        }
    }
}
