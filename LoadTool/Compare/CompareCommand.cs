using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OrleansExemplars.LoadTool.Compare;

/// <summary>Ingest figures of one receiver.</summary>
/// <param name="CpuSeconds">CPU its processes used from the first measured request until it was done (relayed, for a relay).</param>
/// <param name="RelayedSamplesPerSecond">A relay: samples over the time until the null receiver had all of them.</param>
public sealed record IngestResult(CompareTarget Target, LoadSummary Summary, double CpuSeconds = double.NaN,
    double? RelayedSamplesPerSecond = null)
{
    /// <summary>CPU seconds per million samples sent.</summary>
    public double CpuPerMillion => Summary.Samples == 0 ? double.NaN : CpuSeconds / (Summary.Samples / 1e6);
}

/// <summary>Timed query_exemplars answers of one system for one query.</summary>
public sealed record QueryResult(CompareTarget Target, string Query, double P50Ms, double MinMs, double MaxMs, int Series, long Exemplars);

/// <summary>
/// <c>loadtool compare</c>: end-to-end ingest and query side by side, in one run, on loopback. Starts VictoriaMetrics
/// and Prometheus from their Debian binaries and our Silo + ApiHost programs from their Release build output, each on
/// free ports with its data in one temporary directory; sends each receiver the same pre-encoded requests (a warm-up
/// of other series first); times <c>query_exemplars</c> in Prometheus and ours on the data both now hold; prints the
/// table with the ratios and writes the chart. Everything it started is stopped in a finally block (Ctrl-C included),
/// the temporary directory removed; the run is bounded by <see cref="CompareSettings.Timeout"/>.
/// </summary>
public static partial class CompareCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive,
        CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await stdout.WriteLineAsync(CompareSettings.Usage);
            return 0;
        }
        CompareSettings settings;
        try
        {
            settings = CompareSettings.Parse(args);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync(e.Message + " (compare --help lists the options)");
            return 2;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(settings.Timeout);
        var dir = Directory.CreateTempSubdirectory("oe-compare-").FullName;
        await using var run = new Run(settings, dir, stdout, interactive, bounded.Token);
        try
        {
            run.Locate();
            await run.ExecuteAsync();
            return 0;
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
            await stderr.WriteLineAsync(cancellationToken.IsCancellationRequested
                ? "stopped (signal); stopping what was started"
                : $"stopped: the run exceeded --timeout {settings.Timeout.TotalSeconds:0} s; stopping what was started");
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or FileNotFoundException or HttpRequestException)
        {
            await stderr.WriteLineAsync("compare failed: " + e.Message);
            return 1;
        }
    }

    private sealed partial class Run(CompareSettings settings, string dir, TextWriter stdout, bool interactive, CancellationToken ct)
        : IAsyncDisposable
    {
        private readonly List<ChildProcess> _started = [];
        private readonly List<IngestResult> _ingest = [];
        private readonly List<QueryResult> _queries = [];
        private readonly Dictionary<CompareTarget, Uri> _bases = [];
        private string _prometheus = "";
        private string _victoria = "";
        private string _vmagent = "";
        private NullReceiver? _null;
        private string _siloDll = "";
        private string _apiDll = "";

        private Task Say(string line) => stdout.WriteLineAsync($"[{DateTime.Now:HH:mm:ss}] {line}");

        public void Locate()
        {
            if (settings.Targets.Contains(CompareTarget.Prometheus)) _prometheus = Binary(settings.PrometheusBinary, "Debian package 'prometheus'");
            if (settings.Targets.Contains(CompareTarget.VictoriaMetrics)) _victoria = Binary(settings.VictoriaMetricsBinary, "Debian package 'victoria-metrics'");
            if (settings.Relay) _vmagent = Binary(settings.VmagentBinary, "Debian package 'victoria-metrics'");
            if (!settings.Targets.Contains(CompareTarget.Ours)) return;
            var repo = settings.Repository ?? FindRepository();
            _siloDll = Path.Combine(repo, "Silo", "bin", "Release", "net10.0", "OrleansExemplars.Silo.dll");
            _apiDll = Path.Combine(repo, "ApiHost", "bin", "Release", "net10.0", "OrleansExemplars.ApiHost.dll");
            foreach (var dll in new[] { _siloDll, _apiDll })
            {
                if (!File.Exists(dll))
                {
                    throw new FileNotFoundException($"{dll} is not built: dotnet build Silo -c Release && dotnet build ApiHost -c Release", dll);
                }
            }
        }

        private static string FindRepository()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                {
                    if (File.Exists(Path.Combine(d.FullName, "OrleansExemplars.sln"))) return d.FullName;
                }
            }
            throw new FileNotFoundException("OrleansExemplars.sln not found above the current directory: pass --repo");
        }

        private static string Binary(string name, string package)
        {
            if (name.Contains('/', StringComparison.Ordinal)) return File.Exists(name) ? name : throw new FileNotFoundException($"{name} not found", name);
            foreach (var p in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(p, name);
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException($"{name} is not on PATH (install the {package}, e.g. ./test.sh does)", name);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private Uri Base(int port) => new($"http://{settings.Host}:{port}/");

        public async Task ExecuteAsync()
        {
            var total = Stopwatch.StartNew();
            var loadBefore = LoadAverage();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
            const long step = 1000;
            // Timestamps end now: the newest sample is fresh, the oldest requests*step ms back (Prometheus accepts
            // samples up to 1 h behind its newest, and consecutive requests are seconds apart).
            var start = now - settings.Requests * step;
            var shape = new WorkloadShape(settings.Seed, settings.Series, settings.Metrics, settings.ExemplarRatio, settings.Shards,
                start, step, RotateMetrics: true);
            var warmShape = shape with { Seed = settings.Seed + 1 };
            var workload = new RemoteWriteWorkload(shape);
            await Say($"pre-encoding {settings.Requests} requests of {settings.Series} series ({settings.Shards} shards, " +
                      $"{settings.Metrics} metrics, {settings.ExemplarRatio:P0} with an exemplar) + {settings.Warmup} warm-up requests; " +
                      $"temporary directory {dir}");
            var encoded = workload.EncodeAll(checked((int)settings.Requests));
            var warm = new RemoteWriteWorkload(warmShape).EncodeAll(settings.Warmup);
            await Say($"  {encoded.Sum(e => (long)e.Body.Length) / 1048576.0:0.0} MiB snappy, {encoded.Sum(e => (long)e.Samples):N0} samples, " +
                      $"{encoded.Sum(e => (long)e.Exemplars):N0} exemplars per receiver, run label {workload.Run}");

            if (settings.Relay)
            {
                _null = new NullReceiver(settings.Host, FreePort());
                await Say($"null receiver for the relays on {_null.WriteUrl}");
            }
            foreach (var target in settings.Targets)
            {
                ct.ThrowIfCancellationRequested();
                var writeUrl = await StartAsync(target);
                var relays = _null is not null && target is CompareTarget.Ours or CompareTarget.Vmagent;
                if (warm.Length > 0)
                {
                    await Say($"{Name(target)}: warm-up, {warm.Length} requests");
                    var w = await SendAsync(writeUrl, warmShape, warm, progress: false);
                    if (w.Errors > 0) await Say($"  warm-up errors: {w.Errors} (first: {w.FirstError})");
                    if (relays) await DrainAsync(w.Samples, TimeSpan.FromSeconds(120));
                }
                _null?.Reset();
                await Say($"{Name(target)}: sending {settings.Requests} requests over {settings.Concurrency} connections to {writeUrl}");
                var pids = _started.Where(p => p.Group == target && !p.HasExited).Select(p => p.Id).ToArray();
                var cpuBefore = pids.Sum(ProcessCpu.Seconds);
                var sending = Stopwatch.StartNew();
                var summary = await SendAsync(writeUrl, shape, encoded, progress: interactive);
                double? relayed = null;
                if (relays)
                {
                    var drained = await DrainAsync(summary.Samples, TimeSpan.FromSeconds(300));
                    relayed = drained ? summary.Samples / sending.Elapsed.TotalSeconds : null;
                    await Say(drained
                        ? $"  the null receiver has all {summary.Samples:N0} samples after {sending.Elapsed.TotalSeconds:0.0} s"
                        : $"  the null receiver has {_null!.Samples:N0} of {summary.Samples:N0} samples after 300 s: relay not timed");
                }
                var cpu = pids.Sum(ProcessCpu.Seconds) - cpuBefore;
                var result = new IngestResult(target, summary, cpu, relayed);
                _ingest.Add(result);
                await Say(string.Create(CultureInfo.InvariantCulture,
                    $"  {summary.SamplesPerSecond:N0} samples/s, p50 {summary.LatencyP50Ms} ms, p99 {summary.LatencyP99Ms} ms, " +
                    $"{result.CpuPerMillion:0.00} CPU s per million samples, " +
                    $"{summary.Errors} errors{(summary.FirstError is null ? "" : " (first: " + summary.FirstError + ")")}"));
                if (target == CompareTarget.VictoriaMetrics)
                {
                    // Not queried for exemplars (it drops them): stopped, so it takes no CPU from the next receivers.
                    var vm = _started.Single(p => p.Name == Name(target));
                    await vm.StopAsync(TimeSpan.FromSeconds(15));
                }
            }

            var queried = settings.Targets.Where(t => t is CompareTarget.Prometheus or CompareTarget.Ours).ToArray();
            if (queried.Length > 0)
            {
                var startS = start / 1000 - 60;
                var endS = now / 1000 + 60;
                string[] queries = [RemoteWriteWorkload.MetricName(0), "{__name__=~\".+\"}"];
                // Both systems get the same few seconds to finish what ingest left behind (Prometheus' WAL, our
                // checkpoints and write-behind) before they are timed.
                await Say("settling 5 s before the queries");
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                foreach (var query in queries)
                {
                    await Say($"query_exemplars {query}: 1 untimed + {settings.QueryRepetitions} timed per system, alternating");
                    var times = queried.ToDictionary(t => t, _ => new List<double>());
                    var counts = new Dictionary<CompareTarget, (int Series, long Exemplars)>();
                    for (var rep = -1; rep < settings.QueryRepetitions; rep++)
                    {
                        foreach (var target in queried)
                        {
                            var (ms, body) = await QueryAsync(target, query, startS, endS);
                            if (rep < 0) counts[target] = Count(body, target);
                            else times[target].Add(ms);
                        }
                    }
                    foreach (var target in queried)
                    {
                        var t = times[target].Order().ToArray();
                        var result = new QueryResult(target, query, Math.Round(Median(t), 1), Math.Round(t[0], 1), Math.Round(t[^1], 1),
                            counts[target].Series, counts[target].Exemplars);
                        _queries.Add(result);
                        await Say(string.Create(CultureInfo.InvariantCulture,
                            $"  {Name(target)}: p50 {result.P50Ms} ms (min {result.MinMs}, max {result.MaxMs}), {result.Series:N0} series, {result.Exemplars:N0} exemplars"));
                    }
                }
            }

            var table = CompareReport.Markdown(settings, _ingest, _queries) +
                        $"\nMachine load average (1 min) at the start {loadBefore}, at the end {LoadAverage()} on {Environment.ProcessorCount} cores " +
                        "(anything above the core count means other processes shared the CPU with this run).\n";
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync(table);
            CompareReport.Chart(settings.ChartPath, _ingest, _queries);
            await Say($"chart written to {settings.ChartPath}; whole run {total.Elapsed.TotalSeconds:0} s");
        }

        /// <summary>Waits until the null receiver has <paramref name="samples"/> (showing progress); false when it did not in time.</summary>
        private async Task<bool> DrainAsync(long samples, TimeSpan within)
        {
            var deadline = Stopwatch.StartNew();
            var shown = Stopwatch.StartNew();
            while (_null!.Samples < samples)
            {
                if (deadline.Elapsed > within) return false;
                if (shown.Elapsed > TimeSpan.FromSeconds(5))
                {
                    await Say($"  relayed {_null.Samples:N0} of {samples:N0} samples");
                    shown.Restart();
                }
                await Task.Delay(50, ct);
            }
            return true;
        }

        private static string LoadAverage()
        {
            try
            {
                return File.ReadAllText("/proc/loadavg").Split(' ')[0];
            }
            catch (IOException)
            {
                return "?";
            }
        }

        private static double Median(double[] sorted) =>
            sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

        private async Task<LoadSummary> SendAsync(Uri url, WorkloadShape shape, EncodedRequest[] encoded, bool progress)
        {
            var load = new LoadSettings(LoadTarget.Http, url, "", "", encoded.Length, null, null, settings.Concurrency, shape, Json: false);
            return await RemoteWriteLoad.RunAsync(load, progress ? stdout : TextWriter.Null, progressBar: progress, ct, encoded);
        }

        private async Task<(double Ms, byte[] Body)> QueryAsync(CompareTarget target, string query, long start, long end)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var url = new Uri(_bases[target], "api/v1/query_exemplars?query=" + Uri.EscapeDataString(query) +
                                              $"&start={start.ToString(CultureInfo.InvariantCulture)}&end={end.ToString(CultureInfo.InvariantCulture)}");
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var ms = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{Name(target)} answered {(int)response.StatusCode} to {url}: " +
                                                    System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(300, body.Length))));
            }
            return (ms, body);
        }

        private static (int Series, long Exemplars) Count(byte[] body, CompareTarget target)
        {
            using var json = JsonDocument.Parse(body);
            var data = json.RootElement.GetProperty("data");
            if (data.ValueKind != JsonValueKind.Array) throw new InvalidOperationException($"{Name(target)}: no data array in its answer");
            long exemplars = 0;
            foreach (var series in data.EnumerateArray()) exemplars += series.GetProperty("exemplars").GetArrayLength();
            return (data.GetArrayLength(), exemplars);
        }

        public static string Name(CompareTarget target) => target switch
        {
            CompareTarget.VictoriaMetrics => "VictoriaMetrics",
            CompareTarget.Prometheus => "Prometheus",
            CompareTarget.Vmagent => "vmagent",
            _ => "OrleansExemplars",
        };

        private string Log(string name) => Path.Combine(dir, name + ".log");

        private ChildProcess Track(ChildProcess process, CompareTarget group)
        {
            process.Group = group;
            _started.Add(process);
            return process;
        }

        public async ValueTask DisposeAsync()
        {
            if (_null is not null) await _null.DisposeAsync();
            // Newest first: the API host before its silo.
            for (var i = _started.Count - 1; i >= 0; i--)
            {
                var p = _started[i];
                if (!p.HasExited) await stdout.WriteLineAsync($"[{DateTime.Now:HH:mm:ss}] stopping {p.Name} (pid {p.Id})");
                await p.DisposeAsync();
            }
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
