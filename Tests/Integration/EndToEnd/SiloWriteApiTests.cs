using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OrleansExemplars.Tests.Support;
using Snappier;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// <c>/api/v1/write</c> and OTLP served by the silo process itself (<c>Api:ServeOnSilo</c>), as ./run.sh starts it:
/// the exemplars reach the grains in the silo's process, the samples a real VictoriaMetrics, and the API host, in its own
/// process, answers the queries.
/// </summary>
public sealed class SiloWriteApiTests
{
    private const string Token = "silo-writer-token";

    [Fact]
    public async Task The_silo_process_takes_remote_write_1_and_2_and_OTLP_and_the_api_host_finds_the_exemplars()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        var cluster = Cluster();
        var siloPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["RemoteWrite__Endpoints__0__Url"] = vm.WriteUrl.ToString(),
            ["RemoteWrite__BatchSendDeadline"] = "00:00:00.050",
        });
        var apiPort = FreePort.Next();
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
            ["RemoteWrite__Endpoints__0__Url"] = vm.WriteUrl.ToString(),
        });
        using var toSilo = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{siloPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        using var toApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(30) };

        // 1.0: one series with an exemplar, one without; 204 once the exemplar is in its ring and VictoriaMetrics took both.
        var v1 = Request(
            Series(("__name__", "silo_write_seconds_bucket"), ("job", "s"), ("le", "0.5")).WithSample(3, 1_000)
                .WithExemplar(0.3, 1_000, ("trace_id", "on-silo")),
            Series(("__name__", "silo_write_total"), ("job", "s")).WithSample(7, 1_000));
        var status = await PostUntilUpAsync(toSilo, () => SnappyContent(v1), silo);
        Assert.True(status == HttpStatusCode.NoContent, $"1.0 write answered {status}\n{silo.Output}");

        // 2.0: the written counts come back in the headers, as from Prometheus 3's own receiver.
        var v2 = WriteRequestsV2.ToV2(Request(Series(("__name__", "silo_write_v2"), ("job", "s")).WithSample(1, 2_000)
            .WithExemplar(1, 2_000, ("trace_id", "v2-on-silo"))));
        using (var content = new ByteArrayContent(Snappy.CompressToArray(v2.ToByteArray())))
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf;proto=io.prometheus.write.v2.Request");
            content.Headers.ContentEncoding.Add("snappy");
            using var answer = await toSilo.PostAsync("api/v1/write", content);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
            Assert.Equal("1", answer.Headers.GetValues("X-Prometheus-Remote-Write-Samples-Written").Single());
            Assert.Equal("1", answer.Headers.GetValues("X-Prometheus-Remote-Write-Exemplars-Written").Single());
        }

        // OTLP/JSON: a gauge point, translated as Prometheus 3 translates it.
        var nowNanos = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var otlp = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"svc\"}}]}," +
                   "\"scopeMetrics\":[{\"metrics\":[{\"name\":\"silo_otlp_gauge\",\"gauge\":{\"dataPoints\":[{\"asDouble\":5,\"timeUnixNano\":\"" +
                   nowNanos + "\"}]}}]}]}]}";
        using (var answer = await toSilo.PostAsync("api/v1/otlp/v1/metrics", new StringContent(otlp, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        // The API host (another process, through the gateway) answers for what the silo took, once it is up and has a
        // gateway (on a loaded machine it may still be starting).
        var apiUp = await Kafka.KafkaTestData.EventuallyAsync(async () =>
        {
            Assert.False(api.HasExited, "api host exited: " + api.Output);
            try
            {
                using var probe = await toApi.GetAsync("api/v1/query_exemplars?query=up&start=0&end=1");
                return probe.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90));
        Assert.True(apiUp, "the API host never answered a query\n" + api.Output);
        var body = await toApi.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"s\"}") + "&start=0&end=10");
        using (var json = JsonDocument.Parse(body))
        {
            var traces = json.RootElement.GetProperty("data").EnumerateArray()
                .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
                .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!).Order().ToArray();
            Assert.Equal(["on-silo", "v2-on-silo"], traces);
        }

        // Acknowledged means forwarded: VictoriaMetrics holds every sample, once.
        List<VictoriaMetricsServer.ExportedSeries> stored = [];
        var all = await Kafka.KafkaTestData.EventuallyAsync(async () =>
        {
            stored = await vm.ExportAsync("{__name__=~\"silo_.*\"}");
            return stored.Count >= 4;
        }, TimeSpan.FromSeconds(30));
        Assert.True(all, $"VictoriaMetrics holds {string.Join(", ", stored.Select(s => s.Labels["__name__"]))}\n{vm.Log}");
        Assert.Equal(7, stored.Single(s => s.Labels["__name__"] == "silo_write_total").Points.Single().Value);
        Assert.Equal(5, stored.Single(s => s.Labels["__name__"] == "silo_otlp_gauge").Points.Single().Value);
        Assert.All(stored, s => Assert.Single(s.Points));

        // The silo counted the requests it served; the API host served none.
        var siloMetrics = await toSilo.GetStringAsync("metrics");
        Assert.Matches(@"(?m)^oe_remote_write_requests_total\{[^}]*outcome=""success""[^}]*\} 2(\s|$)", siloMetrics);
        Assert.Matches(@"(?m)^oe_otlp_requests_total\{[^}]*outcome=""success""[^}]*\} 1(\s|$)", siloMetrics);
        var apiMetrics = await toApi.GetStringAsync("metrics");
        Assert.DoesNotMatch(@"(?m)^oe_remote_write_requests_total\{[^}]*outcome=""success""", apiMetrics);
    }

    [Fact]
    public async Task The_silo_write_endpoint_asks_for_write_credentials_answers_bad_input_in_Prometheus_style_and_can_be_turned_off()
    {
        var cluster = Cluster();
        var siloPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["Auth__Write__BearerTokens__0"] = Token,
            ["Api__MaxRequestBytes"] = "4096",
        });
        using var toSilo = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{siloPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        var request = Request(Series(("__name__", "silo_auth_metric")).WithSample(1, 1_000).WithExemplar(1, 1_000, ("trace_id", "t")));

        // Without credentials: 401 from the silo as from the API host, and nothing stored.
        var unauthenticated = await PostUntilUpAsync(toSilo, () => SnappyContent(request), silo);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated);

        toSilo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var ok = await toSilo.PostAsync("api/v1/write", SnappyContent(request)))
        {
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        }

        // Not snappy: 400 with Prometheus' error body.
        using (var bad = await toSilo.PostAsync("api/v1/write", new ByteArrayContent([1, 2, 3, 4, 5])
               {
                   Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf"), ContentEncoding = { "snappy" } },
               }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            Assert.Equal("error", error.RootElement.GetProperty("status").GetString());
            Assert.Equal("bad_data", error.RootElement.GetProperty("errorType").GetString());
        }

        // Over Api:MaxRequestBytes: the endpoint's own 413, not the server's.
        var big = Request(Enumerable.Range(0, 200).Select(i => Series(("__name__", "silo_big"), ("i", "value-" + i)).WithSample(i, 1_000)).ToArray());
        using (var tooLarge = await toSilo.PostAsync("api/v1/write", SnappyContent(big)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            Assert.Contains("exceeds the limit", await tooLarge.Content.ReadAsStringAsync());
        }

        // The exemplar the authorised write carried is in the silo's ring.
        var siloMetrics = await toSilo.GetStringAsync("metrics");
        Assert.Matches(@"(?m)^oe_exemplars_appended_total(\{[^}]*\})? 1(\s|$)", siloMetrics);
        await silo.TerminateAsync(TimeSpan.FromSeconds(30));

        // Api:ServeOnSilo=false: the silo has no write endpoint (the API host is the only way in).
        var offPort = FreePort.Next();
        await using var off = HostProcess.Start("Silo", new Dictionary<string, string>(Cluster())
        {
            ["Urls"] = $"http://127.0.0.1:{offPort}",
            ["Api__ServeOnSilo"] = "false",
        });
        using var toOff = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{offPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.NotFound, await PostUntilUpAsync(toOff, () => SnappyContent(request), off));
    }

    private static Dictionary<string, string> Cluster() => new()
    {
        ["Cluster__ClusterId"] = "test-" + Guid.NewGuid().ToString("N"),
        ["Cluster__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Cluster__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Posts until the silo's web host answers something other than a refused connection or a 503 (still starting).</summary>
    private static async Task<HttpStatusCode?> PostUntilUpAsync(HttpClient http, Func<HttpContent> content, HostProcess host)
    {
        HttpStatusCode? status = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(host.HasExited, "silo exited: " + host.Output);
            try
            {
                using var response = await http.PostAsync("api/v1/write", content());
                status = response.StatusCode;
                if (status != HttpStatusCode.ServiceUnavailable) return status;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(300);
        }
        return status;
    }
}
