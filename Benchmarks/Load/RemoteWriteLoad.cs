using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace OrleansExemplars.Benchmarks.Load;

/// <summary>
/// End-to-end load on <c>POST /api/v1/write</c>: pre-encodes a bounded number of remote-write requests shaped like
/// Prometheus' (one sample per series per request, exemplars on a share of them, fresh timestamps every request),
/// then posts them from several connections and reports samples/s, exemplars/s and latency. Loopback only.
/// </summary>
public static class RemoteWriteLoad
{
    public sealed record Settings(Uri Url, int Requests, TimeSpan Duration, int Concurrency, int Series,
        int ExemplarsPerRequest, int Metrics);

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try
        {
            settings = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: load [--url http://127.0.0.1:8000/api/v1/write] [--requests 2000] " +
                "[--duration 60] [--concurrency 4] [--series 2000] [--exemplars 200] [--metrics 100]");
            return 2;
        }

        Console.WriteLine($"pre-encoding {settings.Requests} requests of {settings.Series} series " +
                          $"({settings.ExemplarsPerRequest} exemplars each, {settings.Metrics} metric names)…");
        var bodies = RemoteWriteWorkload.Encode(settings.Requests, settings.Series, settings.ExemplarsPerRequest, settings.Metrics);
        Console.WriteLine($"  {bodies.Sum(b => (long)b.Length) / 1024 / 1024} MiB snappy; posting to {settings.Url} " +
                          $"with {settings.Concurrency} connections for at most {settings.Duration.TotalSeconds:0} s");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var latencies = new double[bodies.Length];
        var next = -1;
        var done = 0;
        var errors = 0;
        var stopwatch = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(settings.Duration);

        async Task Worker()
        {
            int i;
            while (!deadline.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                var started = Stopwatch.GetTimestamp();
                var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                try
                {
                    using var response = await http.PostAsync(settings.Url, content);
                    if (response.StatusCode != HttpStatusCode.NoContent) Interlocked.Increment(ref errors);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Interlocked.Increment(ref done);
            }
        }

        var workers = Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(Worker)).ToArray();
        var all = Task.WhenAll(workers);
        var lastDone = 0;
        while (await Task.WhenAny(all, Task.Delay(1000)) != all)
        {
            var now = Volatile.Read(ref done);
            Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,5:0}s  {now,7} requests  " +
                              $"{(now - lastDone) * (long)settings.Series,10:N0} samples/s  " +
                              $"{(now - lastDone) * (long)settings.ExemplarsPerRequest,9:N0} exemplars/s  errors {errors}");
            lastDone = now;
        }
        await all;
        var elapsed = stopwatch.Elapsed.TotalSeconds;

        var measured = latencies.Take(done).Order().ToArray();
        double P(double q) => measured.Length == 0 ? 0 : measured[Math.Min(measured.Length - 1, (int)(q * measured.Length))];
        Console.WriteLine();
        Console.WriteLine("| requests | errors | seconds | requests/s | samples/s | exemplars/s | p50 ms | p99 ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {done} | {errors} | {elapsed:0.0} | {done / elapsed:N0} | {done * (double)settings.Series / elapsed:N0} | " +
            $"{done * (double)settings.ExemplarsPerRequest / elapsed:N0} | {P(0.5):0.0} | {P(0.99):0.0} |"));
        return errors == 0 ? 0 : 1;
    }

    private static Settings Parse(string[] args)
    {
        var values = new Dictionary<string, string>
        {
            ["url"] = "http://127.0.0.1:8000/api/v1/write", ["requests"] = "2000", ["duration"] = "60",
            ["concurrency"] = "4", ["series"] = "2000", ["exemplars"] = "200", ["metrics"] = "100",
        };
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i].TrimStart('-');
            if (!values.ContainsKey(key) || i + 1 >= args.Length) throw new ArgumentException($"unknown or incomplete option {args[i]}");
            values[key] = args[++i];
        }
        var url = new Uri(values["url"]);
        if (!url.IsLoopback) throw new ArgumentException($"--url must be a loopback address, not {url.Host}");
        int Int(string key, int min, int max)
        {
            if (!int.TryParse(values[key], CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                throw new ArgumentException($"--{key} must be an integer in [{min}, {max}]");
            }
            return v;
        }
        var series = Int("series", 1, 100_000);
        return new Settings(url, Int("requests", 1, 100_000), TimeSpan.FromSeconds(Int("duration", 1, 3600)),
            Int("concurrency", 1, 256), series, Int("exemplars", 0, series), Int("metrics", 1, series));
    }
}
