using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks.Load;

/// <summary>
/// Restart time after a crash: a WAL holding N exemplars (as a SIGKILLed silo leaves it, nothing written behind) is
/// prepared, then the real Silo program is started on it; the clock runs from the process start until the log has
/// been replayed into the grains, persisted and deleted, and then until every exemplar answers a query.
/// </summary>
public static class RestartLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var exemplars = Option(args, "--exemplars", 1_000_000);
        var metrics = Option(args, "--metrics", 100);
        var seriesPerMetric = Option(args, "--series", 100);
        var rounds = Math.Max(1, exemplars / (metrics * seriesPerMetric));
        var total = (long)rounds * metrics * seriesPerMetric;
        var perMetric = rounds * seriesPerMetric;
        var silo = SiloDll();
        if (!File.Exists(silo))
        {
            Console.Error.WriteLine($"{silo} is not built: dotnet build Silo/Silo.csproj -c Release");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("oe-restart-wal-").FullName;
        var storage = Directory.CreateTempSubdirectory("oe-restart-grains-").FullName;
        try
        {
            var prepare = Stopwatch.StartNew();
            var orphan = await WriteCrashedLogAsync(root, metrics, seriesPerMetric, rounds);
            var bytes = Directory.EnumerateFiles(orphan).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"prepared a crashed silo's WAL: {total:N0} exemplars ({metrics} metrics × {seriesPerMetric} series × " +
                              $"{rounds} rounds, 32-hex trace ids), {bytes / 1e6:N1} MB, in {prepare.Elapsed.TotalSeconds:0.0} s");

            int gateway = FreePort(), siloPort = FreePort(), http = FreePort();
            var clusterId = "restart-" + Guid.NewGuid().ToString("N")[..8];
            var psi = new ProcessStartInfo("dotnet", [silo])
            {
                WorkingDirectory = Path.GetDirectoryName(silo)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.Environment["Urls"] = $"http://127.0.0.1:{http}";
            psi.Environment["Cluster__ClusterId"] = clusterId;
            psi.Environment["Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
            psi.Environment["Cluster__GatewayPort"] = gateway.ToString(CultureInfo.InvariantCulture);
            psi.Environment["Wal__Directory"] = root;
            psi.Environment["Storage__File__Directory"] = storage;
            psi.Environment["Exemplars__MaxExemplarsPerMetric"] = Math.Max(10_000, perMetric).ToString(CultureInfo.InvariantCulture);
            var output = new StringBuilder();
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(psi)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                TimeSpan? replayed = null;
                var lastProgress = TimeSpan.Zero;
                long replayPeakRss = 0;
                while (replayed is null && clock.Elapsed < TimeSpan.FromMinutes(5) && !process.HasExited)
                {
                    replayPeakRss = Math.Max(replayPeakRss, PeakRssBytes(process.Id));
                    if (!Directory.Exists(orphan)) replayed = clock.Elapsed;
                    else await Task.Delay(20);
                    if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(1))
                    {
                        lastProgress = clock.Elapsed;
                        Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s: replaying…");
                    }
                }
                if (replayed is null)
                {
                    Console.Error.WriteLine("the log was not replayed within 5 minutes\n" + output);
                    return 1;
                }

                var (found, served) = await CountUntilAllServedAsync(gateway, clusterId, metrics, perMetric, clock);
                Console.WriteLine();
                Console.WriteLine("| exemplars in the WAL | WAL MB | log replayed, persisted, deleted | all exemplars answered | exemplars found | silo peak RSS during replay |");
                Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {total:N0} | {bytes / 1e6:N1} | {replayed.Value.TotalSeconds:0.00} s | {served.TotalSeconds:0.00} s | {found:N0} | {replayPeakRss / 1e6:N0} MB |"));
                lock (output)
                {
                    var line = output.ToString().Split('\n').FirstOrDefault(l => l.Contains("Replayed WAL", StringComparison.Ordinal));
                    if (line is not null) Console.WriteLine("silo: " + line.Trim());
                }
                return found == total ? 0 : 1;
            }
            finally
            {
                if (!process.HasExited) process.Kill();
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(storage, recursive: true);
        }
    }

    /// <summary>What a silo killed after acknowledging everything leaves behind: a log nobody holds.</summary>
    private static async Task<string> WriteCrashedLogAsync(string root, int metrics, int seriesPerMetric, int rounds)
    {
        using var directory = WalDirectory.Create(root);
        await using (var wal = ExemplarWal.Open(new WalOptions { Directory = root }, directory.Path))
        {
            var series = Enumerable.Range(0, metrics).Select(m => Enumerable.Range(0, seriesPerMetric)
                .Select(s => LabelSet.From(("__name__", $"restart_metric_{m}"), ("job", "restart"), ("instance", $"host-{s}:9100")))
                .ToArray()).ToArray();
            var random = new Random(1);
            for (var r = 0; r < rounds; r++)
            {
                var appends = new List<Task>(metrics);
                for (var m = 0; m < metrics; m++)
                {
                    var batch = series[m].Select(s => new SeriesExemplars(s,
                    [
                        new Exemplar(LabelSet.From(("trace_id", RandomTraceId(random))), random.NextDouble(), 1_700_000_000_000 + r * 1000L, true),
                    ])).ToArray();
                    appends.Add(wal.AppendAsync(WalExemplarRecord.Encode($"restart_metric_{m}", batch)));
                }
                await Task.WhenAll(appends);
            }
        }
        return directory.Path;
    }

    private static async Task<(long Found, TimeSpan At)> CountUntilAllServedAsync(int gateway, string clusterId, int metrics,
        int perMetric, Stopwatch clock)
    {
        using var client = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .UseOrleansClient(c => c.UseLocalhostClustering(gateway, "orleans-exemplars", clusterId))
            .Build();
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IClusterClient>();
        long found = 0;
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, metrics).Select(async m =>
                (long)(await grains.GetGrain<IMetricGrain>($"restart_metric_{m}")
                    .SelectJsonAsync(long.MinValue, long.MaxValue, [[]], SeriesJsonOptions.ExemplarIndex))
                .Exemplars.Length / SeriesJsonBatch.ExemplarEntrySize));
            found = counts.Sum();
            if (found >= (long)metrics * perMetric) break;
            await Task.Delay(50);
        }
        var at = clock.Elapsed;
        await client.StopAsync();
        return (found, at);
    }

    /// <summary>The process's high-water mark of resident memory (Linux <c>VmHWM</c>), 0 where there is no /proc.</summary>
    private static long PeakRssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static string RandomTraceId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string SiloDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansExemplars.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? ".", "Silo", "bin", "Release", "net10.0", "OrleansExemplars.Silo.dll");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
