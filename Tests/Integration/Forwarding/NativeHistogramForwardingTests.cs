using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Forwarding.ForwardTestData;
using static OrleansExemplars.Tests.Support.WriteRequests;
using static OrleansExemplars.Tests.Support.WriteRequestsV2;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// Native histograms sent to <c>/api/v1/write</c> (remote write 1.0 and 2.0) and forwarded: to Debian's Prometheus 2.42
/// (native histograms on; it speaks 1.0 only, 2.0 came with Prometheus 2.54) read back through its query API, to a 2.0
/// endpoint (a loopback receiver decoding with this project's own 2.0 reader, since no 2.0 TSDB is installed here), and
/// to Debian's VictoriaMetrics 1.79, which does not store native histograms.
/// </summary>
public sealed class NativeHistogramForwardingTests
{
    private static readonly long T1 = BaseMs;
    private static readonly long T2 = BaseMs + 15_000;

    /// <summary>
    /// Schema 0 (bucket i is (2^(i-1), 2^i]) so that every boundary is exact: zero bucket [-0.125, 0.125] of 2, negative
    /// bucket [-1, -0.5) of 1, positive buckets (0.5, 1], (1, 2], (4, 8] of 3, 2, 4: 12 observations.
    /// </summary>
    private static NativeHistogram First(long timestampMs) => new()
    {
        CountKind = HistogramCountKind.Int, CountInt = 12, Sum = 20.25, Schema = 0, ZeroThreshold = 0.125,
        ZeroCountKind = HistogramCountKind.Int, ZeroCountInt = 2,
        NegativeSpans = [new BucketSpan(0, 1)], NegativeDeltas = [1],
        PositiveSpans = [new BucketSpan(0, 2), new BucketSpan(1, 1)], PositiveDeltas = [3, -1, 2],
        TimestampMs = timestampMs,
    };

    /// <summary>Fifteen seconds later: 3 in zero, 2 negative, 5, 3, 6 positive (19), no reset.</summary>
    private static NativeHistogram Second(long timestampMs) => new()
    {
        CountKind = HistogramCountKind.Int, CountInt = 19, Sum = 33.5, Schema = 0, ZeroThreshold = 0.125,
        ZeroCountKind = HistogramCountKind.Int, ZeroCountInt = 3,
        NegativeSpans = [new BucketSpan(0, 1)], NegativeDeltas = [2],
        PositiveSpans = [new BucketSpan(0, 2), new BucketSpan(1, 1)], PositiveDeltas = [5, -2, 3],
        ResetHint = 2, TimestampMs = timestampMs,
    };

    /// <summary>A float histogram with a start timestamp (2.0): 0.5 in zero, 2 in (0.5, 1], 4 in (1, 2].</summary>
    private static NativeHistogram Floats(long timestampMs) => new()
    {
        CountKind = HistogramCountKind.Float, CountFloat = 6.5, Sum = 3.75, Schema = 0, ZeroThreshold = 0.125,
        ZeroCountKind = HistogramCountKind.Float, ZeroCountFloat = 0.5,
        PositiveSpans = [new BucketSpan(0, 2)], PositiveCounts = [2, 4],
        TimestampMs = timestampMs, StartTimestampMs = timestampMs - 60_000,
    };

    /// <summary>
    /// 1.0: <c>nh_v1</c> with two integer histograms and three bucket exemplars sharing the first one's timestamp, and a
    /// float series beside it.
    /// </summary>
    private static V1.WriteRequest RequestV1(string job)
    {
        var native = Series(("__name__", "nh_v1"), ("job", job))
            .WithExemplar(0.75, T1, ("trace_id", "b0")).WithExemplar(1.5, T1, ("trace_id", "b1")).WithExemplar(6, T1, ("trace_id", "b3"));
        native.Histograms.Add(HistogramProtos.ToV1(First(T1)));
        native.Histograms.Add(HistogramProtos.ToV1(Second(T2)));
        return Request(native, Series(("__name__", "nh_floats"), ("job", job)).WithSample(7, T1).WithSample(8, T2));
    }

    /// <summary>2.0: <c>nh_v2</c> with a float histogram and an exemplar, and a float series with a start timestamp.</summary>
    private static V2.Request RequestV2(string job)
    {
        //                                 0    1           2        3      4    5           6           7
        var request = WriteRequestsV2.RequestV2(["", "__name__", "nh_v2", "job", job, "trace_id", "f1", "nh_v2_floats"],
            SeriesRefs(1, 2, 3, 4).WithExemplarRefs(1.25, T1, 5, 6),
            SeriesRefs(1, 7, 3, 4).WithSample(3, T1));
        request.Timeseries[0].Histograms.Add(HistogramProtos.ToV2(Floats(T1)));
        request.Timeseries[1].Samples[0].StartTimestamp = T1 - 60_000;
        return request;
    }

    [Fact]
    public async Task Native_histograms_sent_as_1_0_and_2_0_reach_Prometheus_2_42_exactly()
    {
        await using var prometheus = await PrometheusServer.StartAsync(extraArguments: ["--enable-feature=native-histograms"]);
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["RemoteWrite:Endpoints:0:Url"] = new Uri(prometheus.BaseAddress, "api/v1/write").ToString(),
            ["RemoteWrite:Endpoints:0:SendExemplars"] = "true",
        });

        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(RequestV1("nh-prom"))))
        {
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        }
        using (var response = await system.Http.PostAsync("api/v1/write", V2Content(RequestV2("nh-prom"))))
        {
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
            Assert.Equal(("1", "1", "1"), WrittenHeaders(response));
        }

        // Acknowledged means stored: Prometheus answers at once. Buckets as Prometheus' JSON has them: [boundaries,
        // lower, upper, count], boundaries 0 (lower open), 1 (upper open), 3 (closed, the zero bucket).
        Assert.Equal(
        [
            (T1, """{"count":"12","sum":"20.25","buckets":[[1,"-1","-0.5","1"],[3,"-0.125","0.125","2"],[0,"0.5","1","3"],[0,"1","2","2"],[0,"4","8","4"]]}"""),
            (T2, """{"count":"19","sum":"33.5","buckets":[[1,"-1","-0.5","2"],[3,"-0.125","0.125","3"],[0,"0.5","1","5"],[0,"1","2","3"],[0,"4","8","6"]]}"""),
        ], await HistogramsAsync(prometheus, "nh_v1{job=\"nh-prom\"}"));
        Assert.Equal(
            [(T1, """{"count":"6.5","sum":"3.75","buckets":[[3,"-0.125","0.125","0.5"],[0,"0.5","1","2"],[0,"1","2","4"]]}""")],
            await HistogramsAsync(prometheus, "nh_v2{job=\"nh-prom\"}"));
        Assert.Equal("19", await InstantAsync(prometheus, "histogram_count(nh_v1{job=\"nh-prom\"})", T2));
        Assert.Equal("33.5", await InstantAsync(prometheus, "histogram_sum(nh_v1{job=\"nh-prom\"})", T2));
        Assert.Equal("8", await InstantAsync(prometheus, "nh_floats{job=\"nh-prom\"}", T2));
        Assert.Equal("3", await InstantAsync(prometheus, "nh_v2_floats{job=\"nh-prom\"}", T1));

        // The three bucket exemplars of one timestamp are all stored here (Prometheus 3's rule); 2.42 keeps one of them.
        var exemplars = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("nh_v1") +
            $"&start={T1 / 1000 - 1}&end={T2 / 1000 + 1}");
        using var json = JsonDocument.Parse(exemplars);
        Assert.Equal(["b0", "b1", "b3"], json.RootElement.GetProperty("data")[0].GetProperty("exemplars").EnumerateArray()
            .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()));
    }

    [Fact]
    public async Task Native_histograms_reach_a_2_0_endpoint_as_sent_with_their_start_timestamps()
    {
        await using var tsdb = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.Url.ToString(),
            ["RemoteWrite:Endpoints:0:Protocol"] = "V2",
            ["RemoteWrite:Endpoints:0:SendExemplars"] = "true",
        });

        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(RequestV1("nh-v2"))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        using (var response = await system.Http.PostAsync("api/v1/write", V2Content(RequestV2("nh-v2"))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(("1", "1", "1"), WrittenHeaders(response));
        }

        // Every request the receiver got was a 2.0 one; read back with this project's 2.0 reader, as a 2.0 receiver would.
        Assert.All(tsdb.Requests, r => Assert.NotNull(r.V2));
        var decoded = tsdb.Requests.Select(r => WriteRequestV2Reader.Read(r.V2!)).ToList();
        Assert.All(decoded, d => Assert.Empty(d.Invalid));
        var received = decoded.SelectMany(d => d.Forward).ToList();
        Assert.Equal([First(T1).ToString(), Second(T2).ToString()],
            received.Where(s => s.Labels.MetricNameOrEmpty == "nh_v1").SelectMany(s => s.Histograms).Select(h => h.ToString()));
        Assert.Equal([Floats(T1).ToString()],
            received.Where(s => s.Labels.MetricNameOrEmpty == "nh_v2").SelectMany(s => s.Histograms).Select(h => h.ToString()));
        var floats = Assert.Single(received, s => s.Labels.MetricNameOrEmpty == "nh_v2_floats");
        Assert.Equal([T1 - 60_000], floats.SampleStartTimestamps!);
        Assert.Equal(["b0", "b1", "b3"], received.Where(s => s.Labels.MetricNameOrEmpty == "nh_v1")
            .SelectMany(s => s.Exemplars).Select(e => e.Labels[0].Value));
        // Floats and histograms travel in separate 2.0 series, as the spec wants.
        Assert.All(tsdb.Requests.SelectMany(r => r.V2!.Timeseries), ts => Assert.False(ts.Samples.Count > 0 && ts.Histograms.Count > 0));
    }

    [Fact]
    public async Task VictoriaMetrics_1_79_takes_the_float_samples_of_a_request_with_native_histograms()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["RemoteWrite:Shards"] = "1", // one batch: the histograms and the floats in one request to VictoriaMetrics
            ["RemoteWrite:Endpoints:0:Url"] = vm.WriteUrl.ToString(),
        });

        using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(RequestV1("nh-vm")));

        // VictoriaMetrics 1.79 reads prometheus.WriteRequest without field 4 (TimeSeries.histograms): it answers 204 and
        // drops the histograms without a word, so they count as written here too; the float samples are all stored. (Had
        // it refused the request, the forwarder would have dropped the floats with it.)
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var direct = await vm.Http.PostAsync("api/v1/write", SnappyContent(RequestV1("nh-vm-direct"))))
        {
            Assert.Equal(HttpStatusCode.NoContent, direct.StatusCode);
        }
        Assert.Equal([("nh_floats", T1, 7.0), ("nh_floats", T2, 8.0)],
            (await vm.ExportAsync("{job=\"nh-vm\"}")).SelectMany(s => s.Points.Select(p => (s.Labels["__name__"], p.Timestamp, p.Value))).Order());
    }

    private static ByteArrayContent V2Content(V2.Request request)
    {
        var content = new ByteArrayContent(RemoteWriteDecoder.EncodeSnappy(request));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(RemoteWriteDecoder.V2ContentType);
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "2.0.0");
        return content;
    }

    private static (string?, string?, string?) WrittenHeaders(HttpResponseMessage response) =>
        (Header(response, "X-Prometheus-Remote-Write-Samples-Written"), Header(response, "X-Prometheus-Remote-Write-Histograms-Written"),
         Header(response, "X-Prometheus-Remote-Write-Exemplars-Written"));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    /// <summary>The series' native-histogram points from a range query, as (timestamp ms, histogram JSON).</summary>
    private static async Task<List<(long, string)>> HistogramsAsync(PrometheusServer prometheus, string selector)
    {
        var body = await prometheus.Http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(selector + "[1h]") +
                                                        $"&time={T2 / 1000 + 1}");
        using var json = JsonDocument.Parse(body);
        var series = Assert.Single(json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray());
        return series.GetProperty("histograms").EnumerateArray()
            .Select(p => ((long)Math.Round(p[0].GetDouble() * 1000), p[1].GetRawText())).ToList();
    }

    private static async Task<string> InstantAsync(PrometheusServer prometheus, string query, long atMs)
    {
        var body = await prometheus.Http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query) +
                                                        "&time=" + (atMs / 1000.0).ToString(CultureInfo.InvariantCulture));
        using var json = JsonDocument.Parse(body);
        return Assert.Single(json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            .GetProperty("value")[1].GetString()!;
    }
}
