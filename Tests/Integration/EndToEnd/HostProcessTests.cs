using System.Net;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>The two programs ./run.sh starts, as separate processes on free loopback ports.</summary>
public sealed class HostProcessTests
{
    [Fact]
    public async Task Silo_and_api_host_processes_serve_write_then_query()
    {
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        };
        var apiPort = FreePort.Next();
        var siloPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
        });
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };

        // The API host keeps retrying the gateway until the silo is up: poll until a write is accepted.
        var request = Request(Series(("__name__", "process_metric"), ("job", "p")).WithSample(1, 1000)
            .WithExemplar(2.5, 1234, ("trace_id", "proc")));
        HttpStatusCode? status = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && status != HttpStatusCode.NoContent)
        {
            Assert.False(silo.HasExited, "silo exited: " + silo.Output);
            Assert.False(api.HasExited, "api host exited: " + api.Output);
            try
            {
                using var response = await http.PostAsync("api/v1/write", SnappyContent(request));
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (status != HttpStatusCode.NoContent) await Task.Delay(500);
        }
        Assert.True(status == HttpStatusCode.NoContent, $"no successful write within 90 s (last {status})\n{silo.Output}\n{api.Output}");

        var body = await http.GetStringAsync("api/v1/query_exemplars?query=process_metric");
        Assert.Equal("{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":\"process_metric\",\"job\":\"p\"}," +
                     "\"exemplars\":[{\"labels\":{\"trace_id\":\"proc\"},\"value\":\"2.5\",\"timestamp\":1.234}]}]}", body);

        // The silo's own Prometheus endpoint counts the stored exemplar.
        var siloMetrics = await http.GetStringAsync($"http://127.0.0.1:{siloPort}/metrics");
        Assert.Matches(@"(?m)^oe_exemplars_appended_total(\{[^}]*\})? 1(\s|$)", siloMetrics);
        // …and its ring gauges hold it: one exemplar of one series.
        Assert.Matches(@"(?m)^oe_ring_exemplars(\{[^}]*\})? 1(\s|$)", siloMetrics);
        Assert.Matches(@"(?m)^oe_ring_series(\{[^}]*\})? 1(\s|$)", siloMetrics);
    }

    [Fact]
    public async Task The_silo_process_consumes_kafka_when_configured_by_environment()
    {
        using var kafka = new KafkaMockCluster();
        for (var i = 0; i < 8; i++) await kafka.ProduceAsync("process-topic", i % 4, Kafka.KafkaTestData.Snappy(Kafka.KafkaTestData.Message(i)));
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        };
        var apiPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka__Topics__0"] = "process-topic",
            ["Kafka__CommitInterval"] = "00:00:00.200",
        });
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };

        var expected = Kafka.KafkaTestData.TraceIds(Enumerable.Range(0, 8)).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        var arrived = await Kafka.KafkaTestData.EventuallyAsync(async () =>
        {
            Assert.False(silo.HasExited, "silo exited: " + silo.Output);
            try
            {
                found = await Kafka.KafkaTestData.QueryTraceIdsAsync(http);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
            {
                return false;
            }
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(90));
        Assert.True(arrived, $"{found.Count} of {expected.Count} exemplars\n{silo.Output}\n{api.Output}");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Silo", "Cluster__GatewayPort", "0", "Cluster:GatewayPort")]
    [InlineData("Silo", "Kafka__BootstrapServers", "127.0.0.1:1", "Kafka:Topics")]
    [InlineData("Silo", "Exemplars__MaxExemplarsPerMetric", "-5", "Exemplars:MaxExemplarsPerMetric")]
    [InlineData("Silo", "Dashboard__RoutePrefix", "/metrics", "Dashboard:RoutePrefix")]
    [InlineData("Silo", "Dashboard__CounterUpdateIntervalMs", "500", "Dashboard:CounterUpdateIntervalMs")]
    [InlineData("ApiHost", "Api__QueryConcurrency", "0", "Api:QueryConcurrency")]
    [InlineData("ApiHost", "Cluster__GatewayPort", "70000", "Cluster:GatewayPort")]
    [InlineData("ApiHost", "Auth__Write__BasicUsers__prometheus", "$2y$10$not-a-bcrypt-hash", "Auth:Write:BasicUsers:prometheus")]
    [InlineData("ApiHost", "RateLimit__Read__PermitsPerSecond", "-1", "RateLimit:Read:PermitsPerSecond")]
    public async Task A_bad_setting_stops_the_process_naming_the_key(string project, string variable, string value, string key)
    {
        await using var host = HostProcess.Start(project, new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            [variable] = value,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains(key, host.Output);
    }
}
