using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OrleansExemplars.Prometheus.Otlp.Proto;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Otlp.OtlpRequests;
using AggregationTemporality = OrleansExemplars.Prometheus.Otlp.Proto.AggregationTemporality;

namespace OrleansExemplars.Tests.Otlp;

/// <summary>
/// <c>POST /api/v1/otlp/v1/metrics</c> on the real API host over an in-process cluster: the OpenTelemetry .NET SDK's own
/// OTLP exporter as the sender, a real VictoriaMetrics as the forwarding endpoint, and hand-made bodies for the
/// encodings and the errors.
/// </summary>
public sealed class OtlpIngestTests
{
    private const string Path = "api/v1/otlp/v1/metrics";

    [Fact]
    public async Task The_OpenTelemetry_SDK_exporter_histogram_exemplar_is_queryable_and_its_samples_reach_VictoriaMetrics()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["RemoteWrite:Endpoints:0:Url"] = vm.WriteUrl.ToString(),
        });

        var name = "oe.otlp.test." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(name);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var meter = new Meter(name);
        var histogram = meter.CreateHistogram<double>("checkout.duration", unit: "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("otlp-test", serviceNamespace: "shop", autoGenerateServiceInstanceId: false,
                serviceInstanceId: "i-1"))
            .AddMeter(name)
            .SetExemplarFilter(ExemplarFilterType.TraceBased)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(system.BaseAddress, Path);
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.TimeoutMilliseconds = 60_000;
                // Only the flush below exports.
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build();

        string traceId, spanId;
        using (var activity = source.StartActivity("checkout"))
        {
            Assert.NotNull(activity);
            traceId = activity.TraceId.ToHexString();
            spanId = activity.SpanId.ToHexString();
            histogram.Record(0.3, new KeyValuePair<string, object?>("http.route", "/pay"));
        }
        // True only when the export was answered 2xx.
        Assert.True(provider.ForceFlush(60_000), "the OTLP exporter's export failed");

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var answer = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" +
            Uri.EscapeDataString("checkout_duration_seconds_bucket{job=\"shop/otlp-test\"}") + $"&start={now - 3600}&end={now + 60}");
        using var json = JsonDocument.Parse(answer);
        var series = Assert.Single(json.RootElement.GetProperty("data").EnumerateArray());
        var labels = series.GetProperty("seriesLabels");
        Assert.Equal("0.5", labels.GetProperty("le").GetString());
        Assert.Equal("i-1", labels.GetProperty("instance").GetString());
        Assert.Equal("/pay", labels.GetProperty("http_route").GetString());
        var exemplar = Assert.Single(series.GetProperty("exemplars").EnumerateArray());
        Assert.Equal(traceId, exemplar.GetProperty("labels").GetProperty("trace_id").GetString());
        Assert.Equal(spanId, exemplar.GetProperty("labels").GetProperty("span_id").GetString());
        Assert.Equal("0.3", exemplar.GetProperty("value").GetString());

        // Acknowledged means forwarded to VictoriaMetrics; it makes new series searchable a moment later under load.
        List<VictoriaMetricsServer.ExportedSeries> stored = [];
        var all = await Kafka.KafkaTestData.EventuallyAsync(async () =>
        {
            stored = await vm.ExportAsync("{job=\"shop/otlp-test\"}");
            return stored.Count >= 7; // _count, _sum, four buckets, target_info
        }, TimeSpan.FromSeconds(30));
        Assert.True(all, $"VictoriaMetrics holds {string.Join(", ", stored.Select(s => s.Labels["__name__"]))}\n{vm.Log}");
        double Value(string metric, string? le = null) => stored
            .Single(s => s.Labels["__name__"] == metric && (le is null || s.Labels.GetValueOrDefault("le") == le)).Points.Single().Value;
        Assert.Equal(1, Value("checkout_duration_seconds_count"));
        Assert.Equal(0.3, Value("checkout_duration_seconds_sum"), 9);
        Assert.Equal(0, Value("checkout_duration_seconds_bucket", "0.1"));
        Assert.Equal(1, Value("checkout_duration_seconds_bucket", "0.5"));
        Assert.Equal(1, Value("checkout_duration_seconds_bucket", "+Inf"));
        var targetInfo = stored.Single(s => s.Labels["__name__"] == "target_info");
        Assert.Equal("dotnet", targetInfo.Labels["telemetry_sdk_language"]);
        Assert.False(targetInfo.Labels.ContainsKey("service_name"));
    }

    [Fact]
    public async Task A_gzip_protobuf_export_is_stored_and_answered_with_partial_success_for_delta_points()
    {
        await using var system = await ExemplarSystem.StartAsync();
        var request = Request([Attr("service.name", "gz")],
            Histogram("rpc.latency", "ms", AggregationTemporality.Cumulative,
                HistogramPoint([10, 100], [0, 1, 0], 42).WithExemplars(Exemplar(42, TraceA, SpanA))),
            Sum("deltas", "", true, AggregationTemporality.Delta, Number(1)));
        using var content = new ByteArrayContent(Gzip(request.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await system.Http.PostAsync(Path, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedDataPoints);
        Assert.Contains("invalid temporality and type combination for metric \"deltas\"", answer.PartialSuccess.ErrorMessage);
        var exemplars = await QueryAsync(system, "rpc_latency_milliseconds_bucket");
        Assert.Contains($"\"trace_id\":\"{TraceA}\"", exemplars);
        Assert.Contains("\"le\":\"100\"", exemplars);
    }

    [Fact]
    public async Task An_OTLP_JSON_export_with_hex_ids_is_stored_and_answered_in_JSON()
    {
        await using var system = await ExemplarSystem.StartAsync();
        // As the OTLP/JSON spec writes it: camelCase keys, enums as integers, 64-bit integers as strings, ids in hex.
        var body = $$$"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-svc"}}]},
              "scopeMetrics":[{"scope":{"name":"s"},"metrics":[{"name":"orders","unit":"1",
                "sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"asInt":"5","timeUnixNano":"{{{BaseNanos}}}",
                  "exemplars":[{"asDouble":1,"timeUnixNano":"{{{BaseNanos}}}","traceId":"{{{TraceB.ToUpperInvariant()}}}","spanId":"{{{SpanB}}}"}]}]},
                "unknownField":true}]}]}]}
            """;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await system.Http.PostAsync(Path, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{ }", (await response.Content.ReadAsStringAsync()).Trim());
        var exemplars = await QueryAsync(system, "orders_total", BaseMs / 1000);
        Assert.Contains($"\"trace_id\":\"{TraceB}\"", exemplars);
        Assert.Contains("\"job\":\"json-svc\"", exemplars);
    }

    [Theory]
    [InlineData("application/x-protobuf", null, "this is not protobuf", 400, "invalid protobuf")]
    [InlineData("application/json", null, "{\"resourceMetrics\":", 400, "invalid JSON")]
    [InlineData("application/json", null, "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"x\",\"sum\":{\"dataPoints\":[{\"exemplars\":[{\"traceId\":\"zz\"}]}]}}]}]}]}", 400, "is not hex")]
    [InlineData("application/x-protobuf", "gzip", "not gzip at all", 400, "gzip")]
    [InlineData("text/plain", null, "x", 415, "unsupported content type")]
    [InlineData("application/x-protobuf", "br", "x", 415, "unsupported Content-Encoding")]
    public async Task Bad_input_is_answered_with_Prometheus_error_body(string contentType, string? encoding, string body, int status, string message)
    {
        await using var system = await ExemplarSystem.StartAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null) content.Headers.ContentEncoding.Add(encoding);

        using var response = await system.Http.PostAsync(Path, content);

        Assert.Equal(status, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(message, json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_body_over_Api_MaxRequestBytes_once_decompressed_is_413()
    {
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?> { ["Api:MaxRequestBytes"] = "65536" });
        // A gzip bomb in miniature: 1 MiB of zeros in about a kilobyte.
        using var content = new ByteArrayContent(Gzip(new byte[1 << 20]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await system.Http.PostAsync(Path, content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("exceeds the limit of 65536 bytes", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_write_side_credentials_guard_the_OTLP_receiver()
    {
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Auth:Write:BearerTokens:0"] = "write-token",
            ["Auth:Read:BearerTokens:0"] = "read-token",
        });
        async Task<HttpStatusCode> SendAsync(string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Path)
            {
                Content = new ByteArrayContent(Request(Gauge("auth.otlp", "", Number(1))).ToByteArray()),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await system.Http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("read-token"));
        Assert.Equal(HttpStatusCode.OK, await SendAsync("write-token"));
    }

    [Fact]
    public async Task A_UTF8_translation_strategy_with_legacy_names_fails_start_up_naming_the_keys()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Otlp:TranslationStrategy"] = "NoTranslation",
                ["Ingest:NameValidation"] = "Legacy",
            });
        });
        Assert.Contains("Otlp:TranslationStrategy", e.ToString());
        Assert.Contains("Ingest:NameValidation", e.ToString());
    }

    [Fact]
    public async Task With_NoTranslation_the_OpenTelemetry_SDK_exporter_histogram_keeps_its_UTF8_names()
    {
        await using var system = await ExemplarSystem.StartAsync(
            settings: new Dictionary<string, string?> { ["Otlp:TranslationStrategy"] = "NoTranslation" });

        var name = "oe.otlp.utf8." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(name);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var meter = new Meter(name);
        var histogram = meter.CreateHistogram<double>("http.server.request.duration", unit: "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });
        using var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("utf8-test", autoGenerateServiceInstanceId: false, serviceInstanceId: "i-8"))
            .AddMeter(name)
            .SetExemplarFilter(ExemplarFilterType.TraceBased)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(system.BaseAddress, Path);
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.TimeoutMilliseconds = 60_000;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build();

        string traceId;
        using (var activity = source.StartActivity("request"))
        {
            Assert.NotNull(activity);
            traceId = activity.TraceId.ToHexString();
            histogram.Record(0.3, new KeyValuePair<string, object?>("http.route", "/pay"));
        }
        Assert.True(provider.ForceFlush(60_000), "the OTLP exporter's export failed");

        // Prometheus 3's quoted selector syntax, names as the SDK sent them.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var answer = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" +
            Uri.EscapeDataString("{\"http.server.request.duration_bucket\", \"http.route\"=\"/pay\", job=\"utf8-test\"}") +
            $"&start={now - 3600}&end={now + 60}");
        using var json = JsonDocument.Parse(answer);
        var series = Assert.Single(json.RootElement.GetProperty("data").EnumerateArray());
        var labels = series.GetProperty("seriesLabels");
        Assert.Equal("http.server.request.duration_bucket", labels.GetProperty("__name__").GetString());
        Assert.Equal("/pay", labels.GetProperty("http.route").GetString());
        Assert.Equal("0.5", labels.GetProperty("le").GetString());
        var exemplar = Assert.Single(series.GetProperty("exemplars").EnumerateArray());
        Assert.Equal(traceId, exemplar.GetProperty("labels").GetProperty("trace_id").GetString());
    }

    private static async Task<string> QueryAsync(ExemplarSystem system, string query, long? aroundSeconds = null)
    {
        var t = aroundSeconds ?? BaseMs / 1000;
        return await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query) +
            $"&start={t - 3600}&end={t + 3600}");
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(raw);
        return output.ToArray();
    }
}
