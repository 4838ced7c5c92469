using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.LoadTool;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Silo.Hosting;

namespace OrleansExemplars.Benchmarks.Load;

/// <summary>
/// End-to-end ingest from Kafka: librdkafka's mock broker (in this process, loopback) is filled with a bounded number
/// of remote-write messages, then a silo (in this process, the production <c>AddOrleansExemplars</c>) consumes the
/// topic; the clock runs from the silo's start until the consumer group's committed offsets reach the end of every
/// partition, i.e. until every message was delivered to its grains.
/// </summary>
public static class KafkaIngestLoad
{
    private const string Topic = "remote-write";
    private const string Group = "orleans-exemplars-load";
    private const int Partitions = 4;

    /// <summary>Most messages a partition may hold unread: the mock broker drops the oldest beyond ~5 MB.</summary>
    private const int Window = 90;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ParseOptions(args, out var error);
        if (options is null)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine("usage: kafka [--messages 1000] [--series 2000] [--exemplars 200] [--metrics 100] [--timeout 300] " +
                                    "[--forward-to http://127.0.0.1:8428/api/v1/write | --forward-to null]");
            return 2;
        }
        var (messages, series, exemplars, metrics, timeout, forwardTo) = options.Value;
        await using var nullReceiver = forwardTo == "null" ? await NullReceiver.StartAsync() : null;
        var forwardUrl = nullReceiver?.Url ?? forwardTo;
        if (forwardUrl is not null) Console.WriteLine($"forwarding every sample to {forwardUrl} (a message counts once the endpoint accepted it)");

        var mockConfig = new AdminClientConfig();
        mockConfig.Set("test.mock.num.brokers", "1");
        using var mock = new AdminClientBuilder(mockConfig).Build();
        var bootstrap = string.Join(",", mock.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Select(b => $"{b.Host}:{b.Port}"));

        Console.WriteLine($"producing {messages} messages of {series} series ({exemplars} exemplars each) to the mock broker {bootstrap}…");
        // Each partition has series of its own, as a producer keying by series would arrange: a series' exemplars
        // then arrive in timestamp order (across partitions they could not, and would be rejected as out of order).
        // The load tool's workload with one shard (instance) per partition; timestamps end about now.
        var workload = new RemoteWriteWorkload(new WorkloadShape(Seed: Environment.TickCount, Series: series, Metrics: metrics,
            ExemplarRatio: (double)exemplars / series, Shards: Partitions,
            StartMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - messages * 1000L, StepMs: 1000));
        var encoded = workload.EncodeAll(messages);
        var bodies = Enumerable.Range(0, Partitions)
            .Select(p => encoded.Where(e => workload.Shard(e.Index) == p).Select(e => e.Body).ToArray()).ToArray();
        Console.WriteLine($"  {messages} messages, {bodies.SelectMany(b => b).Sum(b => (long)b.Length) / 1024 / 1024} MiB snappy, " +
                          $"produced as the silo reads (the mock broker keeps only ~5 MB per partition)");

        // What the silo has read so far, per partition, from its own counter.
        var read = new long[Partitions];
        var totals = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Name.StartsWith("oe_", StringComparison.Ordinal)) l.EnableMeasurementEvents(i); };
        // The silo's own committed offsets (its oe_kafka_committed_offset gauge), observed every 100 ms: when the last
        // message counts as acknowledged, without the seconds a separate consumer's offset query takes on the mock broker.
        var committedOffsets = new long[Partitions];
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "oe_kafka_committed_offset")
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "partition") Interlocked.Exchange(ref committedOffsets[Convert.ToInt32(tag.Value, CultureInfo.InvariantCulture)], value);
                }
                return;
            }
            lock (totals) totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
            if (instrument.Name != "oe_kafka_messages") return;
            foreach (var tag in tags)
            {
                if (tag.Key == "partition") Interlocked.Add(ref read[(int)tag.Value!], value);
            }
        });
        listener.Start();

        var host = BuildSilo(bootstrap, forwardUrl);
        var stopwatch = Stopwatch.StartNew();
        await host.StartAsync();
        var deadline = DateTime.UtcNow + timeout;
        var producing = Task.Run(() => Produce(bootstrap, bodies, read, deadline));
        var done = false;
        long lastRead = 0;
        double? allReadAt = null;
        var nextReport = TimeSpan.FromSeconds(1);
        while (!done && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            listener.RecordObservableInstruments();
            var total = Enumerable.Range(0, Partitions).Sum(p => Interlocked.Read(ref read[p]));
            if (total >= messages) allReadAt ??= stopwatch.Elapsed.TotalSeconds;
            done = Enumerable.Range(0, Partitions).Sum(p => Interlocked.Read(ref committedOffsets[p])) >= messages;
            if (stopwatch.Elapsed < nextReport && !done) continue;
            nextReport += TimeSpan.FromSeconds(1);
            Console.WriteLine($"  {stopwatch.Elapsed.TotalSeconds,5:0}s  {total,7} messages read  " +
                              $"{(total - lastRead) * (long)series,11:N0} samples/s  {(total - lastRead) * (long)exemplars,9:N0} exemplars/s");
            lastRead = total;
        }
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        await producing;
        if (done)
        {
            // The broker's view agrees with the silo's gauge (checked after the clock stopped; its commit is asynchronous,
            // so allow it a few seconds to land).
            var agreeBy = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            do
            {
                var committed = Offsets(bootstrap, Group, committed: true);
                var end = Offsets(bootstrap, Group, committed: false);
                done = end.All(p => committed[p.Key] >= p.Value) && end.Values.Sum() == messages;
            } while (!done && DateTime.UtcNow < agreeBy);
            if (!done) Console.Error.WriteLine("the silo's committed-offset gauge ran ahead of the broker's committed offsets");
        }
        if (allReadAt is { } readAt) Console.WriteLine($"  all {messages} messages read after {readAt:0.0} s, every offset committed after {elapsed:0.0} s");
        var stored = await CountStoredAsync(host.Services.GetRequiredService<IGrainFactory>(), metrics);
        await host.StopAsync();
        host.Dispose();

        var consumed = done ? messages : lastRead;
        lock (totals)
        {
            Console.WriteLine(string.Join("  ", new[] { "oe_kafka_polls", "oe_kafka_stream_batches", "oe_remote_storage_requests", "oe_remote_storage_samples_sent" }
                .Select(n => $"{n}={totals.GetValueOrDefault(n):N0}")));
        }
        Console.WriteLine();
        Console.WriteLine("| messages | seconds | samples/s | exemplars/s | exemplars in rings |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {consumed} | {elapsed:0.0} | {consumed * (double)series / elapsed:N0} | {consumed * (double)exemplars / elapsed:N0} | {stored:N0} |"));
        if (!done) Console.Error.WriteLine($"timed out after {timeout.TotalSeconds:0} s before the topic was drained");
        return done ? 0 : 1;
    }

    /// <summary>Produces every partition's messages, never more than <see cref="Window"/> ahead of what was read.</summary>
    private static void Produce(string bootstrap, byte[][][] bodies, long[] read, DateTime deadline)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 1 }).Build();
        var produced = new int[bodies.Length];
        while (DateTime.UtcNow < deadline && produced.Select((n, p) => n < bodies[p].Length).Any(x => x))
        {
            var progress = false;
            for (var p = 0; p < bodies.Length; p++)
            {
                while (produced[p] < bodies[p].Length && produced[p] - Interlocked.Read(ref read[p]) < Window)
                {
                    producer.Produce(new TopicPartition(Topic, p), new Message<byte[]?, byte[]> { Value = bodies[p][produced[p]++] });
                    progress = true;
                }
            }
            producer.Poll(progress ? TimeSpan.Zero : TimeSpan.FromMilliseconds(1));
        }
        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static IHost BuildSilo(string bootstrap, string? forwardUrl)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("OrleansExemplars", Environment.GetEnvironmentVariable("OE_LOAD_DEBUG") is null ? LogLevel.Warning : LogLevel.Debug);
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:Topics:0"] = Topic,
            ["Kafka:ConsumerGroup"] = Group,
            ["Kafka:CommitInterval"] = "00:00:00.500",
        };
        if (forwardUrl is not null) settings["RemoteWrite:Endpoints:0:Url"] = forwardUrl;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), null, "load", "load");
            silo.AddOrleansExemplars();
        });
        return builder.Build();
    }

    /// <summary>Exemplars now held by the metric grains: the rings (10 000 per metric) bound it.</summary>
    private static async Task<long> CountStoredAsync(IGrainFactory grains, int metrics)
    {
        var all = new[] { new[] { new LabelMatcher(LabelMatchType.RegexMatch, "__name__", ".+") } };
        long total = 0;
        for (var m = 0; m < metrics; m++)
        {
            var found = await grains.GetGrain<IMetricGrain>($"load_metric_{m}_seconds_bucket")
                .SelectJsonAsync(long.MinValue, long.MaxValue, all, SeriesJsonOptions.ExemplarIndex);
            total += found.Exemplars.Length / SeriesJsonBatch.ExemplarEntrySize;
        }
        return total;
    }

    private static Dictionary<int, long> Offsets(string bootstrap, string group, bool committed)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();
        var partitions = Enumerable.Range(0, 4).Select(p => new TopicPartition(Topic, p)).ToList();
        return committed
            ? consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(o => o.Partition.Value, o => o.Offset.Value)
            : partitions.ToDictionary(p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (int Messages, int Series, int Exemplars, int Metrics, TimeSpan Timeout, string? ForwardTo)? ParseOptions(
        string[] args, out string error)
    {
        string? forwardTo = null;
        var values = new Dictionary<string, int>
        {
            ["messages"] = 1000, ["series"] = 2000, ["exemplars"] = 200, ["metrics"] = 100, ["timeout"] = 300,
        };
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i].TrimStart('-');
            if (key == "forward-to" && i + 1 < args.Length)
            {
                forwardTo = args[++i];
                if (forwardTo != "null" && !(Uri.TryCreate(forwardTo, UriKind.Absolute, out var url) && url.IsLoopback))
                {
                    error = "--forward-to must be a loopback URL or null";
                    return null;
                }
                continue;
            }
            if (!values.ContainsKey(key) || i + 1 >= args.Length ||
                !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) || v < 0 || v > 1_000_000)
            {
                error = $"bad option {args[i]}";
                return null;
            }
            values[key] = v;
            i++;
        }
        if (values["series"] < 1 || values["metrics"] < 1 || values["messages"] < 1 || values["exemplars"] > values["series"])
        {
            error = "--messages, --series and --metrics must be at least 1, --exemplars at most --series";
            return null;
        }
        return (values["messages"], values["series"], values["exemplars"], values["metrics"], TimeSpan.FromSeconds(values["timeout"]),
            forwardTo);
    }
}
