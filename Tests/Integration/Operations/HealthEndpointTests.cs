using System.Net;
using System.Text.Json;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> of the real Silo and ApiHost processes while their TSDB, a real VictoriaMetrics
/// (the silo's remote-write target and the API host's proxy upstream), goes down and comes back.
/// </summary>
public sealed class HealthEndpointTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Readyz_is_503_naming_the_tsdb_while_it_is_down_and_healthz_stays_200()
    {
        await using var victoria = await VictoriaMetricsServer.StartAsync();
        using var kafka = new KafkaMockCluster(); // disposed early below: that is the outage
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "health-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            // Short, so the outage shows (and ends) within a second or two.
            ["Health__CacheDuration"] = "00:00:00.500",
            ["Health__Timeout"] = "00:00:01",
        };
        var siloPort = FreePort.Next();
        var apiPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["RemoteWrite__Endpoints__0__Url"] = victoria.WriteUrl.ToString(),
            ["RemoteWrite__Endpoints__0__Name"] = "victoria",
            ["Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka__Topics__0"] = "health-topic",
        });
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
            ["Query__UpstreamUrl"] = victoria.BaseAddress.ToString(),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var siloBase = $"http://127.0.0.1:{siloPort}/";
        var apiBase = $"http://127.0.0.1:{apiPort}/";
        string Logs() => $"\n--- silo ---\n{silo.Output}\n--- api ---\n{api.Output}";

        // Up: every readiness check passes, each listed by name.
        var siloReady = await WaitForAsync(http, siloBase + "readyz", HttpStatusCode.OK, TimeSpan.FromSeconds(90), silo, api);
        Assert.True(siloReady.Status == HttpStatusCode.OK, siloReady.Body + Logs());
        Assert.Equal(["silo", "wal", "grain-storage", "kafka", "remote-write:victoria"], CheckNames(siloReady.Body));
        var apiReady = await WaitForAsync(http, apiBase + "readyz", HttpStatusCode.OK, TimeSpan.FromSeconds(90), silo, api);
        Assert.True(apiReady.Status == HttpStatusCode.OK, apiReady.Body + Logs());
        Assert.Equal(["orleans-cluster", "upstream-tsdb"], CheckNames(apiReady.Body));
        await AssertAnswersAsync(http, siloBase + "-/ready", HttpStatusCode.OK, "OrleansExemplars silo is Ready.");
        await AssertAnswersAsync(http, apiBase + "-/ready", HttpStatusCode.OK, "OrleansExemplars is Ready.");

        // The TSDB goes down: both hosts turn unready, naming the check that fails, and stay alive.
        await victoria.StopAsync();
        var siloDown = await WaitForAsync(http, siloBase + "readyz", HttpStatusCode.ServiceUnavailable, Within, silo, api);
        Assert.True(siloDown.Status == HttpStatusCode.ServiceUnavailable, siloDown.Body + Logs());
        Assert.Equal("Unhealthy", Status(siloDown.Body, "remote-write:victoria"));
        Assert.Contains("unreachable", Description(siloDown.Body, "remote-write:victoria"));
        Assert.Equal("Healthy", Status(siloDown.Body, "wal"));
        Assert.Equal("Healthy", Status(siloDown.Body, "silo"));
        var apiDown = await WaitForAsync(http, apiBase + "readyz", HttpStatusCode.ServiceUnavailable, Within, silo, api);
        Assert.True(apiDown.Status == HttpStatusCode.ServiceUnavailable, apiDown.Body + Logs());
        Assert.Equal("Unhealthy", Status(apiDown.Body, "upstream-tsdb"));
        Assert.Equal("Healthy", Status(apiDown.Body, "orleans-cluster"));
        await AssertAnswersAsync(http, siloBase + "-/ready", HttpStatusCode.ServiceUnavailable, "remote-write:victoria");
        await AssertAnswersAsync(http, apiBase + "-/ready", HttpStatusCode.ServiceUnavailable, "upstream-tsdb");
        foreach (var url in new[] { siloBase + "healthz", apiBase + "healthz" })
        {
            await AssertAnswersAsync(http, url, HttpStatusCode.OK, "\"Healthy\"");
        }
        await AssertAnswersAsync(http, siloBase + "-/healthy", HttpStatusCode.OK, "OrleansExemplars silo is Healthy.");
        await AssertAnswersAsync(http, apiBase + "-/healthy", HttpStatusCode.OK, "OrleansExemplars is Healthy.");

        // It returns: ready again.
        await victoria.StartAgainAsync();
        var siloBack = await WaitForAsync(http, siloBase + "readyz", HttpStatusCode.OK, Within, silo, api);
        Assert.True(siloBack.Status == HttpStatusCode.OK, siloBack.Body + Logs());
        var apiBack = await WaitForAsync(http, apiBase + "readyz", HttpStatusCode.OK, Within, silo, api);
        Assert.True(apiBack.Status == HttpStatusCode.OK, apiBack.Body + Logs());
        await AssertAnswersAsync(http, siloBase + "healthz", HttpStatusCode.OK, "\"Healthy\"");

        // The Kafka broker goes away (the mock lives as long as its client): the silo is unready, naming kafka.
        kafka.Dispose();
        var kafkaDown = await WaitForAsync(http, siloBase + "readyz", HttpStatusCode.ServiceUnavailable, Within, silo, api);
        Assert.True(kafkaDown.Status == HttpStatusCode.ServiceUnavailable, kafkaDown.Body + Logs());
        Assert.Equal("Unhealthy", Status(kafkaDown.Body, "kafka"));
        Assert.Equal("Healthy", Status(kafkaDown.Body, "remote-write:victoria"));
        await AssertAnswersAsync(http, siloBase + "healthz", HttpStatusCode.OK, "\"Healthy\"");
    }

    [Fact]
    public async Task Readyz_checks_the_azure_blob_grain_storage_by_writing_to_it()
    {
        var azurite = await AzuriteServer.StartAsync();
        var siloPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["Cluster__ClusterId"] = "health-blob-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            ["Storage__AzureBlob__ConnectionString"] = azurite.ConnectionString,
            ["Health__CacheDuration"] = "00:00:00.500",
            ["Health__Timeout"] = "00:00:01",
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var readyz = $"http://127.0.0.1:{siloPort}/readyz";
        try
        {
            var ready = await WaitForAsync(http, readyz, HttpStatusCode.OK, TimeSpan.FromSeconds(90), silo);
            Assert.True(ready.Status == HttpStatusCode.OK, ready.Body + "\n" + silo.Output);
            Assert.Contains("Azure Blob container 'orleans-exemplars'", Description(ready.Body, "grain-storage"));
        }
        finally
        {
            await azurite.DisposeAsync(); // the storage outage
        }
        var down = await WaitForAsync(http, readyz, HttpStatusCode.ServiceUnavailable, Within, silo);
        Assert.True(down.Status == HttpStatusCode.ServiceUnavailable, down.Body + "\n" + silo.Output);
        Assert.Equal("Unhealthy", Status(down.Body, "grain-storage"));
        await AssertAnswersAsync(http, $"http://127.0.0.1:{siloPort}/healthz", HttpStatusCode.OK, "\"Healthy\"");
    }

    private static async Task<(HttpStatusCode? Status, string Body)> WaitForAsync(HttpClient http, string url,
        HttpStatusCode wanted, TimeSpan within, params HostProcess[] hosts)
    {
        var deadline = DateTime.UtcNow + within;
        (HttpStatusCode? Status, string Body) last = (null, "no answer");
        while (DateTime.UtcNow < deadline)
        {
            foreach (var host in hosts) Assert.False(host.HasExited, "a host exited: " + host.Output);
            try
            {
                using var response = await http.GetAsync(url);
                last = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (last.Status == wanted) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = (null, e.Message);
            }
            await Task.Delay(250);
        }
        return last;
    }

    private static async Task AssertAnswersAsync(HttpClient http, string url, HttpStatusCode status, string contains)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{url}: {(int)response.StatusCode}\n{body}");
        Assert.Contains(contains, body);
    }

    private static List<string> CheckNames(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
    }

    private static string Status(string body, string check) => Field(body, check, "status");

    private static string Description(string body, string check) => Field(body, check, "description");

    private static string Field(string body, string check, string field)
    {
        using var json = JsonDocument.Parse(body);
        var entry = json.RootElement.GetProperty("checks").EnumerateArray()
            .SingleOrDefault(c => c.GetProperty("name").GetString() == check);
        Assert.True(entry.ValueKind == JsonValueKind.Object, $"no check '{check}' in {body}");
        return entry.GetProperty(field).GetString()!;
    }
}
