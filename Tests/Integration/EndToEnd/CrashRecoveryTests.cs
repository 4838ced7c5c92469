using System.Net;
using System.Text.Json;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// Real Silo and ApiHost processes ingesting from Kafka and HTTP while the silo is killed with SIGKILL and restarted:
/// whatever was acknowledged (a committed offset, a 2xx) must be queryable afterwards, exactly once.
/// </summary>
[Collection("Kafka-consuming silos")]
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const string Topic = "crash-topic";
    private const string Group = "crash-group";
    private const int KafkaMessages = 240;
    private const int HttpRequests = 160;
    private const int HttpSeries = 4;

    [Fact]
    public async Task After_sigkill_at_random_moments_every_acknowledged_exemplar_is_queryable_once()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"random seed {seed}");

        await using var azurite = await AzuriteServer.StartAsync();
        using var kafka = new KafkaMockCluster();
        var silo = new SiloUnderTest(kafka, azurite, output);
        if (Environment.GetEnvironmentVariable("OE_CRASH_TEST_WAL_ENABLED") is { } enabled) silo.Overrides["Wal__Enabled"] = enabled;
        await using var _ = silo;
        await silo.StartAsync();
        var apiPort = FreePort.Next();
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(silo.Cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(15) };

        using var ingesting = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var writer = Task.Run(() => WriteAsync(http, ingesting.Token));
        Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(_acknowledged > 0), TimeSpan.FromSeconds(90)),
            "the system never acknowledged a write\n" + silo.Output + api.Output);
        var producer = Task.Run(() => ProduceAsync(kafka, ingesting.Token));

        // Kill at random moments while both are still sending, each time once the restarted silo serves again.
        for (var kill = 0; kill < 3; kill++)
        {
            var before = _acknowledged;
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(_acknowledged > before), TimeSpan.FromSeconds(90)),
                "no write acknowledged after the restart\n" + silo.Output);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 2500)));
            await silo.KillAsync();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} killed (kill {kill + 1}), producer at {_produced}, writer at {_acknowledged}");
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(100, 1000)));
            await silo.StartAsync();
        }
        await Task.WhenAll(producer, writer);
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} all sent and acknowledged");

        await KafkaTestData.AssertCommittedToEndAsync(kafka, Topic, Group);
        var expected = KafkaTestData.TraceIds(Enumerable.Range(0, KafkaMessages))
            .Concat(Enumerable.Range(0, HttpRequests).SelectMany(j => Enumerable.Range(0, HttpSeries).Select(s => $"http{j}-s{s}")))
            .Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        await KafkaTestData.EventuallyAsync(async () =>
        {
            found = await QueryAllTraceIdsAsync(http);
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(30));
        Assert.True(found.Count == found.Distinct().Count(), "duplicates in the answer");
        var missing = expected.Except(found).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged exemplars missing, e.g. {string.Join(", ", missing.Take(10))}\n{silo.Output}");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));
        // The kills came after acknowledgements and rings were never written behind: the WAL had to bring them back.
        output.WriteLine(silo.AllOutput);
        Assert.Contains("Replayed WAL", silo.AllOutput);
    }

    [Fact]
    public async Task A_graceful_stop_persists_every_ring_commits_every_offset_and_leaves_no_log_to_replay()
    {
        using var kafka = new KafkaMockCluster();
        var silo = new SiloUnderTest(kafka, azurite: null, output); // the embedded default: local file grain storage
        await using var _ = silo;
        await silo.StartAsync();
        var apiPort = FreePort.Next();
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(silo.Cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(15) };

        using var sending = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await WriteAsync(http, sending.Token, requests: 20);
        await ProduceAsync(kafka, sending.Token, messages: 40);
        await KafkaTestData.AssertCommittedToEndAsync(kafka, Topic, Group);
        var before = (await QueryAllTraceIdsAsync(http)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(40 * KafkaTestData.Metrics * KafkaTestData.SeriesPerMetric + 20 * HttpSeries, before.Count);
        Assert.Single(System.IO.Directory.GetDirectories(silo.WalRoot)); // the running silo's log

        Assert.Equal(0, await silo.StopAsync());
        Assert.Contains("closed and deleted: every grain had persisted its ring", silo.AllOutput);
        Assert.Empty(System.IO.Directory.GetDirectories(silo.WalRoot));
        Assert.Equal(kafka.EndOffsets(Topic).OrderBy(p => p.Key), kafka.CommittedOffsets(Topic, Group).OrderBy(p => p.Key));

        await silo.StartAsync();
        List<string> after = [];
        await KafkaTestData.EventuallyAsync(async () =>
        {
            after = await QueryAllTraceIdsAsync(http);
            return after.Count >= before.Count;
        }, TimeSpan.FromSeconds(90));
        Assert.Equal(before, after.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Replayed WAL", silo.AllOutput);
    }

    private int _produced;
    private int _acknowledged;

    private async Task ProduceAsync(KafkaMockCluster kafka, CancellationToken ct, int messages = KafkaMessages)
    {
        for (var i = 0; i < messages; i++)
        {
            await kafka.ProduceAsync(Topic, i % 4, KafkaTestData.Snappy(KafkaTestData.Message(i)));
            _produced = i + 1;
            await Task.Delay(40, ct);
        }
    }

    /// <summary>As Prometheus' remote write does: one request at a time, resent until it gets a 2xx.</summary>
    private async Task WriteAsync(HttpClient http, CancellationToken ct, int requests = HttpRequests)
    {
        for (var j = 0; j < requests; j++)
        {
            var request = Request(Enumerable.Range(0, HttpSeries).Select(s =>
                Series(("__name__", $"http_metric_{s % 2}"), ("job", "crash"), ("series", s.ToString()))
                    .WithSample(j, 2_000_000 + j * 1000L)
                    .WithExemplar(j, 2_000_000 + j * 1000L, ("trace_id", $"http{j}-s{s}"))).ToArray());
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    using var response = await http.PostAsync("api/v1/write", SnappyContent(request), ct);
                    if (response.StatusCode == HttpStatusCode.NoContent) break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                }
                await Task.Delay(100, ct);
            }
            _acknowledged = j + 1;
            await Task.Delay(60, ct);
        }
    }

    private static async Task<List<string>> QueryAllTraceIdsAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("api/v1/query_exemplars?query=" +
                                                     Uri.EscapeDataString("{__name__=~\"kafka_metric_.*|http_metric_.*\"}"));
            if (response.StatusCode != HttpStatusCode.OK) return [];
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("data").EnumerateArray()
                .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
                .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!)
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return [];
        }
    }

    /// <summary>The silo process, restartable on the same ports, WAL root and storage.</summary>
    private sealed class SiloUnderTest(KafkaMockCluster kafka, AzuriteServer? azurite, ITestOutputHelper output) : IAsyncDisposable
    {
        private readonly string _walRoot = System.IO.Directory.CreateTempSubdirectory("oe-crash-wal-").FullName;
        private readonly string _fileStorage = System.IO.Directory.CreateTempSubdirectory("oe-crash-grains-").FullName;

        public string WalRoot => _walRoot;
        private readonly int _httpPort = FreePort.Next();
        private readonly System.Text.StringBuilder _previousOutput = new();
        private HostProcess? _process;

        public Dictionary<string, string> Cluster { get; } = new()
        {
            ["Cluster__ClusterId"] = "crash-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        };

        public string Output => _process?.Output ?? "";

        public string AllOutput => _previousOutput + Output;

        /// <summary>Extra settings, e.g. to show that the test fails without the WAL.</summary>
        public Dictionary<string, string> Overrides { get; } = new();

        public Task StartAsync()
        {
            var environment = new Dictionary<string, string>(Cluster)
            {
                ["Urls"] = $"http://127.0.0.1:{_httpPort}",
                ["Kafka__BootstrapServers"] = kafka.BootstrapServers,
                ["Kafka__Topics__0"] = Topic,
                ["Kafka__ConsumerGroup"] = Group,
                ["Kafka__CommitInterval"] = "00:00:00.200",
                ["Storage__File__Directory"] = _fileStorage,
                // Rings are never written behind during the test: what survives a kill survives through the WAL.
                ["Exemplars__PersistInterval"] = "01:00:00",
                ["Wal__Directory"] = _walRoot,
                ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
            };
            if (azurite is not null)
            {
                environment["Storage__AzureBlob__ConnectionString"] = azurite.ConnectionString;
                environment["Storage__AzureBlob__ContainerName"] = "crash-" + Cluster["Cluster__ClusterId"][^8..];
            }
            foreach (var (key, value) in Overrides) environment[key] = value;
            _process = HostProcess.Start("Silo", environment);
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} silo started");
            return Task.CompletedTask;
        }

        public async Task KillAsync()
        {
            if (_process is null) return;
            await _process.KillAsync();
            _previousOutput.Append(_process.Output);
            await _process.DisposeAsync();
            _process = null;
        }

        /// <summary>SIGTERM and wait for the exit code.</summary>
        public async Task<int> StopAsync()
        {
            var process = _process!;
            await process.TerminateAsync(TimeSpan.FromSeconds(60));
            _previousOutput.Append(process.Output);
            var exitCode = process.ExitCode;
            await process.DisposeAsync();
            _process = null;
            return exitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (_process is not null) await _process.DisposeAsync();
        }
    }
}
