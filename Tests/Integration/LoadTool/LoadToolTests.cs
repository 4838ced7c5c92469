using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansExemplars.LoadTool;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.LoadTool;

/// <summary>
/// The load and demo tool, run through its entry point against real components: the API host over a real in-process
/// cluster, librdkafka's mock broker, a real loopback remote-write receiver.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class LoadToolTests
{
    private const long Start = 1_700_000_000_000;

    private static async Task<(int Exit, LoadSummary? Summary, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await RemoteWriteLoad.RunAsync(args, stdout, stderr, interactive: false);
        var text = stdout.ToString();
        return (exit, text.Length == 0 ? null : JsonSerializer.Deserialize<LoadSummary>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
            stderr.ToString());
    }

    /// <summary>The workload the arguments describe, as the tool itself builds it.</summary>
    private static RemoteWriteWorkload Workload(string[] args) => new(LoadSettings.Parse(args, DateTimeOffset.UtcNow).Shape);

    private static string SeriesKey(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static string SeriesKey(Prometheus.RemoteWrite.V1.TimeSeries series) =>
        SeriesKey(series.Labels.Select(l => KeyValuePair.Create(l.Name.ToStringUtf8(), l.Value.ToStringUtf8())));

    /// <summary>(series, trace id, value, timestamp ms) of every exemplar of requests 0 … count − 1.</summary>
    private static HashSet<(string Series, string TraceId, double Value, long Timestamp)> Expected(RemoteWriteWorkload workload, int count) =>
        Enumerable.Range(0, count).SelectMany(r => workload.Build(r).Timeseries)
            .SelectMany(s => s.Exemplars.Select(e => (SeriesKey(s), e.Labels.Single(l => l.Name.ToStringUtf8() == "trace_id").Value.ToStringUtf8(),
                e.Value, e.Timestamp)))
            .ToHashSet();

    [Fact]
    public async Task Over_http_the_api_host_answers_exactly_the_exemplars_the_tool_reports_as_sent()
    {
        await using var system = await ExemplarSystem.StartAsync();
        string[] args =
        [
            "--url", new Uri(system.BaseAddress, "/api/v1/write").ToString(), "--requests", "24", "--series", "60",
            "--metrics", "3", "--exemplar-ratio", "0.25", "--shards", "4", "--concurrency", "2", "--seed", "7",
            "--start", Start.ToString(CultureInfo.InvariantCulture), "--json",
        ];
        var (exit, summary, stderr) = await RunAsync(args);
        Assert.True(exit == 0, stderr);
        var workload = Workload(args);
        var expected = Expected(workload, 24);
        Assert.Equal(24, summary!.Requests);
        Assert.Equal(0, summary.Errors);
        Assert.Equal(24 * 60, summary.Samples);
        Assert.Equal(24 * 15, summary.Exemplars); // a quarter of 60 series in every request
        Assert.Equal(expected.Count, summary.Exemplars);
        Assert.Equal(workload.Run, summary.Run);

        var query = $"{{job=\"loadtool\",run=\"{summary.Run}\"}}";
        using var response = await system.Http.GetAsync("api/v1/query_exemplars?start=0&end=4000000000&query=" + Uri.EscapeDataString(query));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var answered = json.RootElement.GetProperty("data").EnumerateArray().SelectMany(s =>
        {
            var series = SeriesKey(s.GetProperty("seriesLabels").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)));
            return s.GetProperty("exemplars").EnumerateArray().Select(e =>
                (series, e.GetProperty("labels").GetProperty("trace_id").GetString()!,
                    double.Parse(e.GetProperty("value").GetString()!, CultureInfo.InvariantCulture),
                    (long)Math.Round(e.GetProperty("timestamp").GetDouble() * 1000)));
        }).ToList();
        Assert.Equal(answered.Count, answered.ToHashSet().Count);
        Assert.Equal(expected.OrderBy(e => e).ToList(), answered.OrderBy(e => e).ToList());
        // Prometheus-shaped: histogram buckets of the three metric names, 32-hex trace ids, values inside their bucket.
        Assert.Equal(3, answered.Select(a => a.series.Split(',')[0]).Distinct().Count());
        Assert.All(answered, a => Assert.Matches("^[0-9a-f]{32}$", a.Item2));
        Assert.All(answered, a =>
        {
            var le = a.series.Split(',').Single(l => l.StartsWith("le=", StringComparison.Ordinal))[3..];
            Assert.True(le == "+Inf" || a.Item3 <= double.Parse(le, CultureInfo.InvariantCulture), $"{a.Item3} above le={le}");
        });
    }

    [Fact]
    public async Task To_kafka_the_messages_decode_to_what_it_reports_keyed_so_a_series_stays_in_one_partition()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "loadtool";
        string[] args =
        [
            "--target", "kafka", "--bootstrap", kafka.BootstrapServers, "--topic", topic, "--requests", "40",
            "--series", "36", "--metrics", "2", "--exemplar-ratio", "0.5", "--shards", "5", "--seed", "3",
            "--start", Start.ToString(CultureInfo.InvariantCulture), "--json",
        ];
        var (exit, summary, stderr) = await RunAsync(args);
        Assert.True(exit == 0, stderr);
        Assert.Equal(40, summary!.Requests);
        Assert.Equal(0, summary.Errors);

        var workload = Workload(args);
        var expectedByBody = Enumerable.Range(0, 40).Select(r => workload.Encode(r)).ToDictionary(e => Convert.ToBase64String(e.Body));
        var messages = kafka.ReadAll(topic);
        Assert.Equal(40, messages.Count);
        long samples = 0, exemplars = 0;
        var partitionOfSeries = new Dictionary<string, int>();
        var seen = new HashSet<long>();
        foreach (var message in messages)
        {
            string? Header(string name) => message.Message.Headers.TryGetLastBytes(name, out var v) ? Encoding.UTF8.GetString(v) : null;
            // Exactly a request of the workload, under that request's key …
            var request = expectedByBody[Convert.ToBase64String(message.Message.Value!)];
            Assert.True(seen.Add(request.Index));
            Assert.Equal(request.Key, Encoding.UTF8.GetString(message.Message.Key!));
            // … decoded as the silo's Kafka provider decodes it.
            Assert.Equal("snappy", Header("Content-Encoding"));
            var decoded = RemoteWriteMessageDecoder.Decode(message.Message.Value, Header("Content-Type"), Header("Content-Encoding"),
                RemoteWriteDecoder.DefaultMaxDecompressedBytes);
            Assert.Empty(decoded.Invalid);
            samples += decoded.SampleCount;
            exemplars += decoded.ExemplarCount;
            foreach (var series in workload.Build(request.Index).Timeseries)
            {
                var partition = partitionOfSeries.GetValueOrDefault(SeriesKey(series), message.Partition.Value);
                Assert.Equal(partition, message.Partition.Value);
                partitionOfSeries[SeriesKey(series)] = partition;
            }
        }
        Assert.Equal(summary.Samples, samples);
        Assert.Equal(summary.Exemplars, exemplars);
        Assert.Equal(Expected(workload, 40).Count, exemplars);
        Assert.Equal(5 * 36, partitionOfSeries.Count);
        // Within a partition, each key's messages are in request (so timestamp) order.
        foreach (var group in messages.GroupBy(m => Encoding.UTF8.GetString(m.Message.Key!)))
        {
            Assert.Single(group.Select(m => m.Partition.Value).Distinct());
            var indexes = group.OrderBy(m => m.Offset.Value).Select(m => expectedByBody[Convert.ToBase64String(m.Message.Value!)].Index).ToList();
            Assert.Equal(indexes.Order().ToList(), indexes);
        }
    }

    [Fact]
    public async Task The_same_arguments_send_the_same_bytes()
    {
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync();
        string[] Args(string seed) =>
        [
            "--url", receiver.Url.ToString(), "--requests", "12", "--series", "50", "--metrics", "4", "--shards", "3",
            "--concurrency", "1", "--seed", seed, "--start", Start.ToString(CultureInfo.InvariantCulture), "--json",
        ];

        async Task<List<byte[]>> Bodies(string seed)
        {
            var before = receiver.Requests.Count;
            var (exit, _, stderr) = await RunAsync(Args(seed));
            Assert.True(exit == 0, stderr);
            return receiver.Requests.Skip(before).Select(r => r.Body).ToList();
        }

        var first = await Bodies("11");
        var second = await Bodies("11");
        var other = await Bodies("12");
        Assert.Equal(12, first.Count);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal(first, Enumerable.Range(0, 12).Select(r => Workload(Args("11")).Encode(r).Body).ToList());
        Assert.All(receiver.Requests, r => Assert.Equal("snappy", r.Header("Content-Encoding")));
        Assert.All(receiver.Requests, r => Assert.Null(r.DecodeError));
    }

    [Fact]
    public async Task Several_urls_share_the_shards_each_shard_always_to_the_same_receiver()
    {
        // Several silos taking remote write: shard k's requests go to receiver k mod 2, every request once.
        await using var first = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var second = await LoopbackRemoteWriteReceiver.StartAsync();
        string[] args =
        [
            "--url", $"{first.Url},{second.Url}", "--requests", "12", "--series", "20", "--metrics", "2", "--shards", "4",
            "--concurrency", "2", "--start", Start.ToString(CultureInfo.InvariantCulture), "--json",
        ];

        var (exit, summary, stderr) = await RunAsync(args);

        Assert.True(exit == 0, stderr);
        Assert.Equal(12L, summary!.Requests);
        var workload = Workload(args);
        var expected = Enumerable.Range(0, 12).Select(r => (Receiver: r % 4 % 2, Body: workload.Encode(r).Body)).ToList();
        Assert.Equal(expected.Where(e => e.Receiver == 0).Select(e => e.Body).ToHashSet(new BytesComparer()),
            first.Requests.Select(r => r.Body).ToHashSet(new BytesComparer()));
        Assert.Equal(expected.Where(e => e.Receiver == 1).Select(e => e.Body).ToHashSet(new BytesComparer()),
            second.Requests.Select(r => r.Body).ToHashSet(new BytesComparer()));
        Assert.Equal(6, first.Requests.Count);
        Assert.Equal(6, second.Requests.Count);
        Assert.Equal([first.Url, second.Url], LoadSettings.Parse(args, DateTimeOffset.UtcNow).Urls);
        Assert.Throws<ArgumentException>(() => LoadSettings.Parse(["--url", $"{first.Url},not a url"], DateTimeOffset.UtcNow));
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length == 0 ? 0 : HashCode.Combine(obj.Length, obj[0], obj[^1], obj[obj.Length / 2]);
    }

    [Fact]
    public async Task With_retry_a_refused_request_is_resent_with_the_same_bytes_until_acknowledged()
    {
        // 503 with Retry-After, a 429, then acceptance: as Prometheus would, the tool resends the same request.
        await using var receiver = await LoopbackRemoteWriteReceiver.StartAsync(0,
            ScriptedResponse.RetryAfterSeconds(503, 1), new ScriptedResponse(429));
        string[] args =
        [
            "--url", receiver.Url.ToString(), "--requests", "2", "--series", "20", "--shards", "1", "--concurrency", "1",
            "--start", Start.ToString(CultureInfo.InvariantCulture), "--json",
        ];

        var (exit, summary, stderr) = await RunAsync([.. args, "--retry"]);

        Assert.True(exit == 0, stderr);
        Assert.Equal((2L, 0L, 2L), (summary!.Requests, summary.Errors, summary.Retries));
        var bodies = receiver.Requests.Select(r => r.Body).ToList();
        Assert.Equal(4, bodies.Count);
        Assert.Equal(bodies[0], bodies[1]);
        Assert.Equal(bodies[0], bodies[2]);
        Assert.NotEqual(bodies[0], bodies[3]);
        Assert.True(receiver.Requests[1].Since(receiver.Requests[0]) >= TimeSpan.FromSeconds(0.9), "Retry-After was not honoured");

        // Without --retry the refusal is the request's end: an error.
        receiver.Enqueue(new ScriptedResponse(503));
        var (failedExit, failed, _) = await RunAsync(args);
        Assert.Equal(1, failedExit);
        Assert.Equal((1L, 1L, 0L), (failed!.Requests, failed.Errors, failed.Retries));
        Assert.Throws<ArgumentException>(() => LoadSettings.Parse(["--target", "kafka", "--retry"], DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData("--url", "http://192.0.2.10:8000/api/v1/write")]
    [InlineData("--url", "http://example.com/api/v1/write")]
    [InlineData("--url", "http://127.0.0.1:8080/api/v1/write,http://192.0.2.10:8000/api/v1/write")]
    [InlineData("--target", "kafka", "--bootstrap", "127.0.0.1:9092,kafka:9092")]
    [InlineData("--target", "kafka", "--bootstrap", "10.1.2.3:9092")]
    public async Task A_non_loopback_target_is_refused_unless_allowed(params string[] target)
    {
        var (exit, summary, stderr) = await RunAsync([.. target, "--requests", "1", "--json"]);
        Assert.Equal(2, exit);
        Assert.Null(summary);
        Assert.Contains("--allow-remote", stderr);
        // Allowed explicitly (compose's producer), the same arguments parse.
        Assert.NotNull(LoadSettings.Parse([.. target, "--allow-remote"], DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData("--url", "http://localhost:8000/api/v1/write")]
    [InlineData("--url", "http://[::1]:8000/api/v1/write")]
    [InlineData("--target", "kafka", "--bootstrap", "localhost:9092,127.0.0.1:9093,[::1]:9094")]
    public void Loopback_targets_need_no_permission(params string[] target) =>
        Assert.NotNull(LoadSettings.Parse(target, DateTimeOffset.UtcNow));

    [Fact]
    public void Paced_runs_start_now_and_step_in_real_time_bounded_runs_end_now()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(Start + 123);
        var paced = LoadSettings.Parse(["--rate", "4", "--requests", "0"], now);
        Assert.Equal((Start, 250L), (paced.Shape.StartMs, paced.Shape.StepMs));
        var bounded = LoadSettings.Parse(["--requests", "100"], now);
        Assert.Equal((Start - 100 * 1000, 1000L), (bounded.Shape.StartMs, bounded.Shape.StepMs));
        Assert.Throws<ArgumentException>(() => LoadSettings.Parse(["--exemplar-ratio", "1.5"], now));
        Assert.Throws<ArgumentException>(() => LoadSettings.Parse(["--bogus", "1"], now));
    }
}
