using System.Net;
using System.Text.Json;
using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary><c>POST /api/v1/write</c> against the real API host over a real in-process cluster.</summary>
public sealed class RemoteWriteApiTests : IAsyncLifetime
{
    private ExemplarSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Api:MaxRequestBytes"] = "65536",
            ["Exemplars:MaxExemplarsPerMetric"] = "3",
        });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Written_exemplars_are_queryable_at_once()
    {
        var request = Request(
            Series(("__name__", "api_latency"), ("job", "a")).WithSample(1, 1000)
                .WithExemplar(0.5, 1000, ("trace_id", "t1")).WithExemplar(0.6, 2000, ("trace_id", "t2")),
            Series(("__name__", "other_metric"), ("job", "b")).WithSample(1, 1000).WithExemplar(7, 1500, ("trace_id", "t3")));
        using var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var data = await QueryAsync("api_latency");
        var series = Assert.Single(data.EnumerateArray());
        Assert.Equal("a", series.GetProperty("seriesLabels").GetProperty("job").GetString());
        var exemplars = series.GetProperty("exemplars").EnumerateArray().ToList();
        Assert.Equal(["t1", "t2"], exemplars.Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()));
        Assert.Equal("0.6", exemplars[1].GetProperty("value").GetString());
        Assert.Equal(2, exemplars[1].GetProperty("timestamp").GetDouble());

        // No metric name: the catalog fans the query out to every metric grain; results sorted by series labels.
        var all = await QueryAsync("{job=~\"a|b\"}");
        Assert.Equal(["api_latency", "other_metric"],
            all.EnumerateArray().Select(s => s.GetProperty("seriesLabels").GetProperty("__name__").GetString()));
    }

    [Fact]
    public async Task A_query_across_many_metric_grains_is_sorted_by_series_labels()
    {
        var names = Enumerable.Range(0, 40).Select(i => $"fan_{(i * 7919) % 40:D2}").ToArray(); // written out of order
        var request = Request(names.Select(n =>
            Series(("__name__", n), ("team", "fan")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", n))).ToArray());
        using var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var data = await QueryAsync("{team=\"fan\"}");
        Assert.Equal(names.Order(StringComparer.Ordinal),
            data.EnumerateArray().Select(s => s.GetProperty("seriesLabels").GetProperty("__name__").GetString()));
    }

    [Fact]
    public async Task The_metrics_endpoint_counts_what_was_received()
    {
        var request = Request(Series(("__name__", "counted_metric")).WithSample(1, 1000).WithSample(2, 2000)
            .WithExemplar(1, 1000, ("trace_id", "c1")));
        using (var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(request)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        var metrics = await _system.Http.GetStringAsync("metrics");
        Assert.Matches(@"(?m)^oe_remote_write_samples_total(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"(?m)^oe_remote_write_requests_total\{[^}]*outcome=""success""[^}]*\} [1-9]", metrics);
    }

    [Fact]
    public async Task Each_metric_ring_keeps_its_configured_capacity()
    {
        var series = Series(("__name__", "small_ring")).WithSample(1, 1000);
        for (var i = 1; i <= 5; i++) series.WithExemplar(i, i * 1000, ("trace_id", $"t{i}"));
        using var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var data = await QueryAsync("small_ring");
        Assert.Equal(["3", "4", "5"], Assert.Single(data.EnumerateArray()).GetProperty("exemplars").EnumerateArray()
            .Select(e => e.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task Corrupt_snappy_is_400_bad_data()
    {
        var content = new ByteArrayContent([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]);
        content.Headers.ContentEncoding.Add("snappy");
        await AssertErrorAsync(await _system.Http.PostAsync("api/v1/write", content), HttpStatusCode.BadRequest, "snappy");
    }

    [Fact]
    public async Task Snappy_wrapping_garbage_protobuf_is_400_bad_data()
    {
        var content = SnappyContent([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);
        await AssertErrorAsync(await _system.Http.PostAsync("api/v1/write", content), HttpStatusCode.BadRequest, "protobuf");
    }

    [Fact]
    public async Task Invalid_series_are_400_naming_them_and_the_valid_ones_are_kept()
    {
        var badUtf8 = new TimeSeries();
        badUtf8.Labels.Add(L("__name__", "bad_utf8"));
        badUtf8.Labels.Add(new Label { Name = ByteString.CopyFromUtf8("job"), Value = ByteString.CopyFrom(0xc3, 0x28) });
        badUtf8.WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "x"));
        var request = Request(
            badUtf8,
            Series(("job", "no_name")).WithSample(1, 1000),
            Series(("__name__", "dup"), ("a", "1"), ("a", "2")).WithSample(1, 1000),
            Series(("__name__", "empty_name"), ("", "v")).WithSample(1, 1000),
            Series(("__name__", "kept_metric")).WithSample(1, 1000).WithExemplar(9, 1000, ("trace_id", "kept")));
        using var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(request));
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "UTF-8");
        Assert.Contains("3 more invalid series", error);

        var kept = await QueryAsync("kept_metric");
        Assert.Equal("kept", Assert.Single(kept.EnumerateArray()).GetProperty("exemplars")[0]
            .GetProperty("labels").GetProperty("trace_id").GetString());
    }

    [Theory]
    [InlineData("job", "missing metric name")]
    [InlineData("dup", "duplicate label name \\\"a\\\"")]
    [InlineData("empty", "label with empty name")]
    public async Task Each_label_rule_has_its_own_message(string kind, string expected)
    {
        var series = kind switch
        {
            "job" => Series(("job", "x")),
            "dup" => Series(("__name__", "m"), ("a", "1"), ("a", "2")),
            _ => Series(("__name__", "m"), ("", "v")),
        };
        using var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(Request(series.WithSample(1, 1))));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, expected.Replace("\\\"", "\""));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var series = Series(("__name__", "big"), ("payload", new string('x', 70_000))).WithSample(1, 1);
        using var response = await _system.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "exceeds the limit");
    }

    [Fact]
    public async Task Remote_write_2_is_ingested_and_reports_what_it_wrote()
    {
        var v1 = Request(Series(("__name__", "rw2_metric"), ("job", "v2")).WithSample(1, 1000).WithSample(2, 2000)
            .WithExemplar(0.25, 1500, ("trace_id", "v2trace")));
        var content = new ByteArrayContent(RemoteWriteDecoder.EncodeSnappy(WriteRequestsV2.ToV2(v1)));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(
            "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "2.0.0");
        using var response = await _system.Http.PostAsync("api/v1/write", content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("X-Prometheus-Remote-Write-Samples-Written").Single());
        Assert.Equal("1", response.Headers.GetValues("X-Prometheus-Remote-Write-Exemplars-Written").Single());
        Assert.Equal("0", response.Headers.GetValues("X-Prometheus-Remote-Write-Histograms-Written").Single());
        var data = await QueryAsync("rw2_metric");
        Assert.Equal("v2trace", Assert.Single(data.EnumerateArray()).GetProperty("exemplars")[0]
            .GetProperty("labels").GetProperty("trace_id").GetString());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v3.Request")]
    public async Task Any_other_content_type_is_415_and_stores_nothing(string contentType)
    {
        var content = SnappyContent(Request(Series(("__name__", "rw_415_metric"), ("job", "x")).WithSample(1, 1000)
            .WithExemplar(1, 1000, ("trace_id", "never"))));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await _system.Http.PostAsync("api/v1/write", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("\"errorType\":\"bad_data\"", await response.Content.ReadAsStringAsync());
        Assert.Empty((await QueryAsync("rw_415_metric")).EnumerateArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/x-protobuf")]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest")]
    public async Task Remote_write_1_is_taken_with_or_without_its_content_type(string? contentType)
    {
        var metric = "rw1_ct_metric_" + (contentType?.Length ?? 0);
        var content = SnappyContent(Request(Series(("__name__", metric), ("job", "x")).WithSample(1, 1000)
            .WithExemplar(1, 1000, ("trace_id", "v1"))));
        content.Headers.ContentType = contentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await _system.Http.PostAsync("api/v1/write", content);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Prometheus-Remote-Write-Samples-Written"));
        Assert.Single((await QueryAsync(metric)).EnumerateArray());
    }

    [Fact]
    public async Task The_json_post_query_on_slash_answers_the_same_data()
    {
        var request = Request(Series(("__name__", "seed_metric"), ("testlabel11", "test")).WithSample(1, 1000)
            .WithExemplar(3, 1632980302_500, ("trace_id", "seed")));
        using (var write = await _system.Http.PostAsync("api/v1/write", SnappyContent(request)))
        {
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }

        var body = "{\"start\":\"1632980302\",\"end\":\"1632980402\",\"query\":\"{testlabel11=\\\"test\\\"}\"}";
        using var seed = await _system.Http.PostAsync("/", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, seed.StatusCode);
        var seedJson = await seed.Content.ReadAsStringAsync();
        var prometheusStyle = await _system.Http.GetStringAsync(
            "api/v1/query_exemplars?start=1632980302&end=1632980402&query=" + Uri.EscapeDataString("{testlabel11=\"test\"}"));
        Assert.Equal(prometheusStyle, seedJson);
        Assert.Contains("\"timestamp\":1632980302.500", seedJson);
    }

    private async Task<JsonElement> QueryAsync(string query)
    {
        using var response = await _system.Http.GetAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        return json.RootElement.GetProperty("data").Clone();
    }

    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string contains)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
            var error = json.RootElement.GetProperty("error").GetString()!;
            Assert.Contains(contains, error);
            return error;
        }
    }
}
