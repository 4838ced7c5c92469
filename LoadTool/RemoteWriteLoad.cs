using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace OrleansExemplars.LoadTool;

/// <summary>What a run sent, as the summary (table or <c>--json</c>) reports it. Counts are of acknowledged requests
/// only (HTTP 2xx, Kafka delivery reports); failed ones are in <see cref="Errors"/>; <see cref="Retries"/> counts
/// resends of requests that failed (<c>--retry</c>).</summary>
public sealed record LoadSummary(
    string Target,
    string Destination,
    int Seed,
    string Run,
    long StartMs,
    long StepMs,
    int Series,
    int Metrics,
    double ExemplarRatio,
    int Shards,
    long Requests,
    long Errors,
    long Samples,
    long Exemplars,
    long Bytes,
    double Seconds,
    double RequestsPerSecond,
    double SamplesPerSecond,
    double ExemplarsPerSecond,
    double LatencyP50Ms,
    double LatencyP99Ms,
    string StoppedBy,
    string? FirstError,
    long Retries = 0);

/// <summary>
/// Sends a <see cref="RemoteWriteWorkload"/> to <c>POST /api/v1/write</c> or to a Kafka topic, bounded by a request
/// count and/or a duration, optionally paced, with a live progress bar (plain lines when stdout is not a terminal) and
/// a summary table or JSON. Bounded unpaced runs pre-encode every request first, so the sender spends no CPU on
/// encoding while it measures. Each series' requests are sent in order: over HTTP every connection owns whole shards
/// and waits for each answer; to Kafka one ordered, idempotent producer keys each message by its shard.
/// </summary>
public static class RemoteWriteLoad
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The tool's entry point. Exit codes: 0 all acknowledged, 1 some failed, 2 bad arguments or refused target.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, bool interactive,
        CancellationToken cancellationToken = default)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await stdout.WriteLineAsync(LoadSettings.Usage);
            return 0;
        }
        LoadSettings settings;
        try
        {
            settings = LoadSettings.Parse(args, DateTimeOffset.UtcNow);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync(e.Message + " (--help lists the options)");
            return 2;
        }
        var summary = await RunAsync(settings, stdout, interactive && !settings.Json, cancellationToken);
        if (settings.Json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(summary, Json));
        }
        else if (interactive)
        {
            WriteTable(Console(stdout), summary);
        }
        else
        {
            await WritePlainAsync(stdout, summary);
        }
        if (summary.FirstError is not null) await stderr.WriteLineAsync($"first error: {summary.FirstError}");
        return summary.Errors == 0 ? 0 : 1;
    }

    /// <param name="preEncoded">Requests 0 … n − 1 of <paramref name="settings"/>' workload, already encoded (the
    /// compare command sends the same bytes to several receivers); null: encoded here when the run is bounded.</param>
    public static async Task<LoadSummary> RunAsync(LoadSettings settings, TextWriter stdout, bool progressBar,
        CancellationToken cancellationToken = default, EncodedRequest[]? preEncoded = null)
    {
        var workload = new RemoteWriteWorkload(settings.Shape);
        var plain = !settings.Json && !progressBar;
        var encoded = preEncoded;
        if (preEncoded is not null && preEncoded.Length < settings.Requests)
        {
            throw new ArgumentException($"{preEncoded.Length} pre-encoded requests for a run of {settings.Requests}", nameof(preEncoded));
        }
        if (encoded is null && settings.Requests > 0 && settings.Rate is null && settings.Requests <= int.MaxValue)
        {
            if (plain) await stdout.WriteLineAsync($"pre-encoding {settings.Requests} requests of {settings.Shape.Series} series…");
            encoded = workload.EncodeAll((int)settings.Requests);
            if (plain)
            {
                await stdout.WriteLineAsync($"  {encoded.Sum(e => (long)e.Body.Length) / 1024.0 / 1024:0.0} MiB snappy, " +
                                            $"{encoded.Sum(e => (long)e.Exemplars)} exemplars");
            }
        }
        if (plain)
        {
            await stdout.WriteLineAsync($"sending to {settings.Destination} (run {workload.Run}, seed {settings.Shape.Seed}, " +
                                        $"start {settings.Shape.StartMs}, step {settings.Shape.StepMs} ms)");
        }

        var stats = new LoadStats();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.Duration is { } duration) stop.CancelAfter(duration);
        var stopwatch = Stopwatch.StartNew();
        Task sending;
        IAsyncDisposable sender;
        if (settings.Target == LoadTarget.Http)
        {
            // Retries stop on a signal, not at the end of --duration: a request in flight then still completes.
            var http = new HttpSender(settings.Urls, settings.Shape.Shards, settings.Concurrency, settings.Retry, stats.RecordRetry, cancellationToken);
            sender = http;
            // One lane per connection, each owning whole shards: a series' requests never overtake each other.
            var lanes = Math.Min(settings.Concurrency, settings.Shape.Shards);
            sending = Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => Task.Run(() =>
                SendLaneAsync(settings, workload, encoded, http.SendAsync, stats, stopwatch, stop.Token, lane, lanes, window: 1))));
        }
        else
        {
            var kafka = new KafkaSender(settings.Bootstrap, settings.Topic);
            sender = kafka;
            // One ordered lane; the idempotent producer keeps each partition's order with many messages in flight.
            sending = Task.Run(() => SendLaneAsync(settings, workload, encoded, kafka.SendAsync, stats, stopwatch, stop.Token,
                lane: 0, lanes: 1, window: settings.Concurrency));
        }

        try
        {
            if (progressBar) await ProgressBarAsync(settings, stats, stopwatch, sending, stdout);
            else if (plain) await ProgressLinesAsync(settings, stats, stopwatch, sending, stdout);
            await sending;
        }
        finally
        {
            await sender.DisposeAsync();
        }
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var stoppedBy = settings.Requests > 0 && stats.Done >= settings.Requests ? "requests"
            : cancellationToken.IsCancellationRequested ? "signal"
            : "duration";
        return new LoadSummary(settings.Target.ToString().ToLowerInvariant(), settings.Destination, settings.Shape.Seed,
            workload.Run, settings.Shape.StartMs, settings.Shape.StepMs, settings.Shape.Series, settings.Shape.Metrics,
            settings.Shape.ExemplarRatio, settings.Shape.Shards, stats.Requests, stats.Errors, stats.Samples,
            stats.Exemplars, stats.Bytes, Math.Round(elapsed, 3), Rate(stats.Requests, elapsed),
            Rate(stats.Samples, elapsed), Rate(stats.Exemplars, elapsed), stats.Latency(0.5), stats.Latency(0.99), stoppedBy,
            stats.FirstError, stats.Retries);
    }

    private static double Rate(long count, double seconds) => seconds <= 0 ? 0 : Math.Round(count / seconds, 1);

    /// <summary>Sends requests lane, lane + lanes, … of the shards this lane owns, in index order, at most
    /// <paramref name="window"/> in flight, until the request bound or <paramref name="stop"/>.</summary>
    private static async Task SendLaneAsync(LoadSettings settings, RemoteWriteWorkload workload, EncodedRequest[]? encoded,
        Func<EncodedRequest, Task<string?>> send, LoadStats stats, Stopwatch clock, CancellationToken stop,
        int lane, int lanes, int window)
    {
        using var slots = new SemaphoreSlim(window);
        var inFlight = new List<Task>();
        try
        {
            for (long r = 0; settings.Requests == 0 || r < settings.Requests; r++)
            {
                if (workload.Shard(r) % lanes != lane) continue;
                if (settings.Rate is { } rate)
                {
                    var due = TimeSpan.FromSeconds(r / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due, stop);
                }
                await slots.WaitAsync(stop);
                stop.ThrowIfCancellationRequested();
                var request = encoded?[r] ?? workload.Encode(r);
                inFlight.Add(SendOneAsync(request));
                if (inFlight.Count > 4 * window) inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Duration over or stopped: what is in flight still completes and counts.
        }
        await Task.WhenAll(inFlight);

        async Task SendOneAsync(EncodedRequest request)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var error = await send(request);
                stats.Record(request, error, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    private static async Task ProgressLinesAsync(LoadSettings settings, LoadStats stats, Stopwatch clock, Task sending,
        TextWriter stdout)
    {
        // Paced runs (the demo) report every 10 s, so a container's log stays readable.
        var every = TimeSpan.FromSeconds(settings.Rate is null ? 1 : 10);
        var last = (Requests: 0L, Samples: 0L, Exemplars: 0L, At: TimeSpan.Zero);
        while (await Task.WhenAny(sending, Task.Delay(every)) != sending)
        {
            var now = (stats.Requests, stats.Samples, stats.Exemplars, clock.Elapsed);
            var seconds = (now.Elapsed - last.At).TotalSeconds;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {now.Elapsed.TotalSeconds,6:0}s  {now.Requests,8} requests  {(now.Samples - last.Samples) / seconds,11:N0} samples/s  " +
                $"{(now.Exemplars - last.Exemplars) / seconds,9:N0} exemplars/s  errors {stats.Errors}"));
            last = (now.Requests, now.Samples, now.Exemplars, now.Elapsed);
        }
    }

    private static async Task ProgressBarAsync(LoadSettings settings, LoadStats stats, Stopwatch clock, Task sending,
        TextWriter stdout)
    {
        await Console(stdout).Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"{settings.Target.ToString().ToLowerInvariant()} → {Markup.Escape(settings.Destination)}");
                task.MaxValue = settings.Requests > 0 ? settings.Requests : settings.Duration?.TotalSeconds ?? 1;
                task.IsIndeterminate = settings.Requests == 0 && settings.Duration is null;
                var last = (Samples: 0L, At: TimeSpan.Zero);
                while (await Task.WhenAny(sending, Task.Delay(250)) != sending || !task.IsFinished)
                {
                    var elapsed = clock.Elapsed;
                    var samples = stats.Samples;
                    if ((elapsed - last.At).TotalSeconds >= 1)
                    {
                        task.Description = string.Create(CultureInfo.InvariantCulture,
                            $"{stats.Requests:N0} requests  {(samples - last.Samples) / (elapsed - last.At).TotalSeconds:N0} samples/s  " +
                            $"{stats.Exemplars:N0} exemplars  [{(stats.Errors == 0 ? "green" : "red")}]{stats.Errors} errors[/]");
                        last = (samples, elapsed);
                    }
                    task.Value = settings.Requests > 0 ? stats.Done : Math.Min(task.MaxValue, elapsed.TotalSeconds);
                    if (sending.IsCompleted)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                    }
                }
            });
    }

    private static IAnsiConsole Console(TextWriter stdout) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });

    private static void WriteTable(IAnsiConsole console, LoadSummary s)
    {
        // One row a figure: fits an 80-column terminal whatever the numbers.
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
        table.AddRow(s.Target, Markup.Escape(s.Destination));
        foreach (var (name, value) in Headings.Zip(Cells(s)))
        {
            table.AddRow(name, name == "errors" && s.Errors > 0 ? $"[red]{value}[/]" : value);
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape(Footer(s)));
    }

    private static readonly string[] Headings = ["requests", "errors", "seconds", "requests/s", "samples/s", "exemplars/s", "p50 ms", "p99 ms"];

    private static async Task WritePlainAsync(TextWriter stdout, LoadSummary s)
    {
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync("| " + string.Join(" | ", Headings) + " |");
        await stdout.WriteLineAsync("|---:|---:|---:|---:|---:|---:|---:|---:|");
        await stdout.WriteLineAsync("| " + string.Join(" | ", Cells(s)) + " |");
        await stdout.WriteLineAsync(Footer(s));
    }

    private static string[] Cells(LoadSummary s) =>
    [
        s.Requests.ToString("N0", CultureInfo.InvariantCulture), s.Errors.ToString("N0", CultureInfo.InvariantCulture),
        s.Seconds.ToString("0.0", CultureInfo.InvariantCulture), s.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        s.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture), s.ExemplarsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        s.LatencyP50Ms.ToString("0.0", CultureInfo.InvariantCulture), s.LatencyP99Ms.ToString("0.0", CultureInfo.InvariantCulture),
    ];

    private static string Footer(LoadSummary s)
    {
        var resends = s.Retries > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({s.Retries:N0} resends)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Samples:N0} samples, {s.Exemplars:N0} exemplars, {s.Bytes / 1024.0 / 1024:0.0} MiB sent{resends}; stopped by {s.StoppedBy}; " +
            $"run {s.Run} (repeat with --seed {s.Seed} --start {s.StartMs} --step {s.StepMs})");
    }

    /// <summary>Counters shared by the lanes, and a log-bucketed latency histogram (2 % resolution).</summary>
    private sealed class LoadStats
    {
        private const double Growth = 1.02;
        private readonly long[] _latency = new long[1500];
        private long _done;
        private long _requests;
        private long _errors;
        private long _samples;
        private long _exemplars;
        private long _bytes;
        private long _retries;
        private string? _firstError;

        public long Done => Interlocked.Read(ref _done);
        public long Requests => Interlocked.Read(ref _requests);
        public long Errors => Interlocked.Read(ref _errors);
        public long Samples => Interlocked.Read(ref _samples);
        public long Exemplars => Interlocked.Read(ref _exemplars);
        public long Bytes => Interlocked.Read(ref _bytes);
        public long Retries => Interlocked.Read(ref _retries);

        public void RecordRetry() => Interlocked.Increment(ref _retries);
        public string? FirstError => Volatile.Read(ref _firstError);

        public void Record(EncodedRequest request, string? error, double milliseconds)
        {
            if (error is null)
            {
                Interlocked.Increment(ref _requests);
                Interlocked.Add(ref _samples, request.Samples);
                Interlocked.Add(ref _exemplars, request.Exemplars);
                Interlocked.Add(ref _bytes, request.Body.Length);
            }
            else
            {
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, $"request {request.Index}: {error}", null);
            }
            var bucket = milliseconds <= 0.001 ? 0 : Math.Clamp((int)Math.Ceiling(Math.Log(milliseconds * 1000, Growth)), 0, _latency.Length - 1);
            Interlocked.Increment(ref _latency[bucket]);
            Interlocked.Increment(ref _done);
        }

        public double Latency(double quantile)
        {
            var counts = _latency.Select(c => Interlocked.Read(ref c)).ToArray();
            var total = counts.Sum();
            if (total == 0) return 0;
            var rank = (long)Math.Ceiling(quantile * total);
            long seen = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                seen += counts[i];
                if (seen >= rank) return Math.Round(Math.Pow(Growth, i) / 1000, 2);
            }
            return Math.Round(Math.Pow(Growth, counts.Length - 1) / 1000, 2);
        }
    }
}
