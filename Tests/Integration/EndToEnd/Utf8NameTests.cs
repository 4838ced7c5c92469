using System.Net;
using System.Text.Json;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using OrleansExemplars.GrainInterfaces.Sharding;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// UTF-8 metric and label names (Prometheus 3) end to end on the real API host over an in-process cluster: written by
/// remote write 1.0 and 2.0, queried with Prometheus 3's quoted selectors, forwarded to a real VictoriaMetrics, and
/// kept across a cluster restart on real Azurite blob storage and on file storage (names with dots, slashes, '#',
/// dot segments and non-ASCII key grains and name blobs and files); <c>Ingest:NameValidation=Legacy</c> refuses them.
/// </summary>
public sealed class Utf8NameTests(ITestOutputHelper output)
{
    /// <summary>Names that are no legacy names, each a storage key's trouble of its own.</summary>
    private static readonly string[] Names =
    [
        "http.server.request.duration", "ünïcødé/指標.x", "a#3", "x/..", "a./b", "trailing.", "with space", "😀",
        "a//b", "per%cent?q", "b",
    ];

    private static string Query(string promql) => "api/v1/query_exemplars?query=" + Uri.EscapeDataString(promql);

    private static OrleansExemplars.Prometheus.RemoteWrite.V1.WriteRequest NamesRequest(string job) =>
        Request(Names.Select((n, i) => Series(("__name__", n), ("service.name", job), ("名前", "値"))
            .WithSample(i, 1000).WithExemplar(i, 1000 + i, ("trace.id", $"t-{i}"))).ToArray());

    /// <summary>Metric name → trace ids of what a query answered, checking the answer's shape.</summary>
    private static Dictionary<string, string> TraceIdsByMetric(string answer)
    {
        using var json = JsonDocument.Parse(answer);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        return json.RootElement.GetProperty("data").EnumerateArray().ToDictionary(
            s => s.GetProperty("seriesLabels").GetProperty("__name__").GetString()!,
            s => string.Join(",", s.GetProperty("exemplars").EnumerateArray()
                .Select(e => e.GetProperty("labels").TryGetProperty("trace.id", out var id) ? id.GetString()
                    : e.GetProperty("labels").GetProperty("trace_id").GetString())),
            StringComparer.Ordinal);
    }

    [Fact]
    public async Task Remote_write_with_UTF8_names_is_queried_with_quoted_selectors_and_forwarded_to_VictoriaMetrics()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["RemoteWrite:Endpoints:0:Url"] = vm.WriteUrl.ToString(),
        });
        var v1 = Request(
            Series(("__name__", "http.server.request.duration"), ("service.name", "api"), ("http.route", "/pay"))
                .WithSample(0.25, 1000).WithExemplar(0.25, 1000, ("trace.id", "t-api")),
            Series(("__name__", "http.server.request.duration"), ("service.name", "web"))
                .WithSample(0.5, 1000).WithExemplar(0.5, 1000, ("trace.id", "t-web")));
        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(v1)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        var v2 = new ByteArrayContent(RemoteWriteDecoder.EncodeSnappy(WriteRequestsV2.ToV2(Request(
            Series(("__name__", "db.client.operation.duration"), ("db.system", "postgresql"))
                .WithSample(1, 1000).WithExemplar(1, 1000, ("trace.id", "t-v2"))))));
        v2.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(RemoteWriteDecoder.V2ContentType);
        v2.Headers.ContentEncoding.Add("snappy");
        v2.Headers.Add("X-Prometheus-Remote-Write-Version", "2.0.0");
        using (var response = await system.Http.PostAsync("api/v1/write", v2))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // The quoted metric name, alone and with a quoted label matcher; __name__ as a matcher; a range function.
        var all = await system.Http.GetStringAsync(Query("{\"http.server.request.duration\"}"));
        Assert.Equal("t-api", TraceIdsByMetric(await system.Http.GetStringAsync(
            Query("{\"http.server.request.duration\", \"service.name\"=\"api\"}")))["http.server.request.duration"]);
        Assert.Equal(all, await system.Http.GetStringAsync(Query("{__name__=\"http.server.request.duration\"}")));
        Assert.Equal(all, await system.Http.GetStringAsync(Query("rate({\"http.server.request.duration\"}[5m])")));
        Assert.Equal(all, await system.Http.GetStringAsync(Query(
            "histogram_quantile(0.9, sum by (le, \"service.name\") (rate({\"http.server.request.duration\"}[5m])))")));
        using (var json = JsonDocument.Parse(all))
        {
            var series = json.RootElement.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(2, series.Count);
            // JSON as Prometheus 3 writes it: names are object keys like any other, series sorted by labels.
            var first = series[0].GetProperty("seriesLabels");
            Assert.Equal("http.server.request.duration", first.GetProperty("__name__").GetString());
            Assert.Equal("/pay", first.GetProperty("http.route").GetString());
            Assert.Equal("api", first.GetProperty("service.name").GetString());
            Assert.Equal("web", series[1].GetProperty("seriesLabels").GetProperty("service.name").GetString());
            var exemplar = Assert.Single(series[0].GetProperty("exemplars").EnumerateArray());
            Assert.Equal("t-api", exemplar.GetProperty("labels").GetProperty("trace.id").GetString());
            Assert.Equal("0.25", exemplar.GetProperty("value").GetString());
        }
        // No metric name: the catalog's label index knows UTF-8 label names too.
        Assert.Equal(["db.client.operation.duration"], TraceIdsByMetric(await system.Http.GetStringAsync(
            Query("{\"db.system\"=\"postgresql\"}"))).Keys);
        // Two names in braces are allowed (as {__name__="a", __name__="b"}) and match nothing.
        Assert.Empty(TraceIdsByMetric(await system.Http.GetStringAsync(Query("{\"http.server.request.duration\", \"db.client.operation.duration\"}"))));
        // A name inside and outside the braces is a parse error, worded as Prometheus 3 words it.
        using (var response = await system.Http.GetAsync(Query("foo{\"http.server.request.duration\"}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("bad_data", error.RootElement.GetProperty("errorType").GetString());
            Assert.Equal("1:1: parse error: metric name must not be set twice: \"foo\" or \"http.server.request.duration\"",
                error.RootElement.GetProperty("error").GetString());
        }

        // Acknowledged means forwarded: VictoriaMetrics stores the samples under the same UTF-8 names.
        List<VictoriaMetricsServer.ExportedSeries> stored = [];
        var arrived = await Kafka.KafkaTestData.EventuallyAsync(async () =>
        {
            stored = await vm.ExportAsync("{__name__=~\"http[.]server[.]request[.]duration|db[.]client[.]operation[.]duration\"}");
            return stored.Count == 3;
        }, TimeSpan.FromSeconds(30));
        Assert.True(arrived, $"VictoriaMetrics holds {string.Join(", ", stored.Select(s => string.Join(",", s.Labels)))}\n{vm.Log}");
        Assert.Contains(stored, s => s.Labels["__name__"] == "http.server.request.duration" && s.Labels["service.name"] == "api" &&
                                     s.Labels["http.route"] == "/pay" && s.Points.Single().Value == 0.25);
        Assert.Contains(stored, s => s.Labels["__name__"] == "db.client.operation.duration" && s.Labels["db.system"] == "postgresql");
    }

    [Fact]
    public async Task Legacy_name_validation_refuses_UTF8_names_with_400_and_legacy_syntax_only()
    {
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Ingest:NameValidation"] = "Legacy",
        });
        var request = Request(
            Series(("__name__", "http.server.request.duration"), ("job", "legacy")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "utf8")),
            Series(("__name__", "http_server_request_duration_seconds"), ("job", "legacy")).WithSample(1, 1000)
                .WithExemplar(1, 1000, ("trace_id", "legacy")));
        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(request)))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
            var error = json.RootElement.GetProperty("error").GetString()!;
            Assert.Contains("metric name \"http.server.request.duration\" is not a legacy Prometheus name", error);
            Assert.Contains("Ingest:NameValidation is Legacy", error);
            Assert.Contains("1 valid series of the request were written", error);
        }
        Assert.Equal(["http_server_request_duration_seconds"],
            TraceIdsByMetric(await system.Http.GetStringAsync(Query("{job=\"legacy\"}"))).Keys);

        // Queries parse as Prometheus 2.42: no quoted names.
        using var quoted = await system.Http.GetAsync(Query("{\"http.server.request.duration\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, quoted.StatusCode);
        Assert.Contains("in label matching, expected identifier or \\\"}\\\"", await quoted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UTF8_names_survive_a_cluster_restart_on_Azure_Blob_storage()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await AssertSurviveRestartAsync(new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            ["Storage:AzureBlob:ContainerName"] = "utf8-names",
        }, "blob");

        // One ring blob per name, each named after its own grain key: no two names share a blob (a dot segment
        // such as a/../b is not folded into b on its way to the service).
        var blobs = new List<string>();
        await foreach (var blob in new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, "utf8-names").GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }
        output.WriteLine(string.Join("\n", blobs));
        var rings = blobs.Where(b => b.StartsWith("ring-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Names.Length, rings.Count);
        foreach (var name in Names)
        {
            Assert.Single(rings, b => b == $"ring-metric/{MetricShardRouter.PlainKey(name)}.json");
        }
    }

    [Fact]
    public async Task UTF8_names_survive_a_cluster_restart_on_file_storage()
    {
        var directory = Path.Combine(Path.GetTempPath(), "oe-utf8-" + Guid.NewGuid().ToString("N"));
        try
        {
            await AssertSurviveRestartAsync(new Dictionary<string, string?> { ["Storage:File:Directory"] = directory }, "file");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task AssertSurviveRestartAsync(Dictionary<string, string?> settings, string job)
    {
        var expected = Names.Select((n, i) => (n, $"t-{i}")).ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);
        await using (var first = await ExemplarSystem.StartAsync(settings: settings))
        {
            using var response = await first.Http.PostAsync("api/v1/write", SnappyContent(NamesRequest(job)));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(expected, TraceIdsByMetric(await first.Http.GetStringAsync(Query($"{{\"service.name\"=\"{job}\"}}"))));
        } // graceful stop: every grain writes its ring

        await using var second = await ExemplarSystem.StartAsync(settings: settings);
        // Each by its own name (its grain, read back from storage), then all through the catalog.
        foreach (var name in Names)
        {
            var quoted = "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            var answer = TraceIdsByMetric(await second.Http.GetStringAsync(Query("{" + quoted + "}")));
            Assert.True(answer.Count == 1 && answer.GetValueOrDefault(name) == expected[name],
                $"{name}: {string.Join("; ", answer)}");
        }
        Assert.Equal(expected, TraceIdsByMetric(await second.Http.GetStringAsync(Query($"{{\"service.name\"=\"{job}\"}}"))));
    }
}
