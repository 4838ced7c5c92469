using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequestsV2;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// The <c>X-Prometheus-Remote-Write-*-Written</c> counts of a remote-write 2.0 request, with forwarding on, against what
/// really reached the TSDB (a real remote-write receiver on loopback that records every request), and on the answers
/// that write part of a request or none of it.
/// </summary>
public sealed class HttpIngestWrittenCountsTests
{
    [Fact]
    public async Task Native_histograms_are_forwarded_and_each_count_is_what_reached_the_TSDB()
    {
        await using var tsdb = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.Url.ToString(),
            ["RemoteWrite:Endpoints:0:Protocol"] = "V2",
            ["RemoteWrite:Endpoints:0:SendExemplars"] = "true",
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
        });
        const long t = 1_700_000_000_000;
        // Symbols: 0 "", 1 __name__, 2 rw2_float, 3 job, 4 hist, 5 rw2_native, 6 trace_id, 7 abc, 8 def
        var request = RequestV2(["", "__name__", "rw2_float", "job", "hist", "rw2_native", "trace_id", "abc", "def"],
            SeriesRefs(1, 2, 3, 4).WithSample(1, t).WithSample(2, t + 1000).WithExemplarRefs(0.5, t + 500, 6, 7),
            SeriesRefs(1, 5, 3, 4).WithHistogram(3, t).WithHistogram(5, t + 1000).WithHistogram(6, t + 2000)
                .WithExemplarRefs(0.1, t + 1000, 6, 7).WithExemplarRefs(0.2, t + 1000, 6, 8));

        using var response = await system.Http.PostAsync("api/v1/write", Content(request));

        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        var received = tsdb.Requests.Where(r => r.V2 is not null).SelectMany(r => r.V2!.Timeseries).ToList();
        Assert.Equal(2, received.Sum(ts => ts.Samples.Count));
        Assert.Equal(3, received.Sum(ts => ts.Histograms.Count));
        Assert.Equal(3, received.Sum(ts => ts.Exemplars.Count));
        Assert.Equal(("2", "3", "3"), Written(response));
    }

    [Fact]
    public async Task A_partial_write_counts_only_the_valid_series_and_failures_count_nothing()
    {
        await using var tsdb = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.Url.ToString(),
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
            ["Api:ForwardTimeout"] = "00:00:01",
        });
        const long t = 1_700_000_000_000;
        // Refused: a series without a metric name (2 samples, 1 exemplar) and one whose histogram does not add up.
        var broken = SeriesRefs(1, 5);
        broken.Histograms.Add(new V2.Histogram { CountInt = 4, Timestamp = t });
        var request = RequestV2(["", "__name__", "ok", "job", "j", "bad_hist", "trace_id", "x"],
            SeriesRefs(1, 2, 3, 4).WithSample(1, t).WithHistogram(2, t + 1).WithExemplarRefs(1, t, 6, 7),
            SeriesRefs(3, 4).WithSample(1, t).WithSample(2, t + 1).WithExemplarRefs(1, t, 6, 7),
            broken);

        using (var response = await system.Http.PostAsync("api/v1/write", Content(request)))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
            Assert.Equal(("1", "1", "1"), Written(response));
            Assert.Contains("1 more invalid series", body);
        }

        // Not a request: nothing written.
        using (var garbage = await system.Http.PostAsync("api/v1/write", Content([0xff, 0x00, 0x12])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
            Assert.Equal(("0", "0", "0"), Written(garbage));
        }

        // The TSDB keeps failing: 503 after Api:ForwardTimeout, and nothing counts as written (the sender resends all).
        tsdb.DefaultResponse = new ScriptedResponse(503);
        var later = RequestV2(["", "__name__", "later"], SeriesRefs(1, 2).WithSample(1, t).WithHistogram(1, t + 1));
        using (var unavailable = await system.Http.PostAsync("api/v1/write", Content(later)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(("0", "0", "0"), Written(unavailable));
        }

        // A 1.0 request gets no 2.0 headers.
        using var v1 = await system.Http.PostAsync("api/v1/write",
            WriteRequests.SnappyContent(WriteRequests.Request(WriteRequests.Series(("__name__", "v1")).WithSample(1, t))));
        Assert.Equal((null, null, null), Written(v1));
    }

    [Fact]
    public async Task A_request_without_native_histograms_is_204_with_everything_counted()
    {
        await using var tsdb = await LoopbackRemoteWriteReceiver.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.Url.ToString(),
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.050",
        });
        var request = RequestV2(["", "__name__", "rw2_only_floats", "job", "x"], SeriesRefs(1, 2, 3, 4).WithSample(1, 1_700_000_000_000));

        using var response = await system.Http.PostAsync("api/v1/write", Content(request));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1", Header(response, "X-Prometheus-Remote-Write-Samples-Written"));
        Assert.Equal("0", Header(response, "X-Prometheus-Remote-Write-Histograms-Written"));
        Assert.Equal(1, tsdb.Requests.Sum(r => r.Series.Sum(s => s.Samples.Length)));
    }

    private static ByteArrayContent Content(V2.Request request) => Content(request.ToByteArray());

    private static ByteArrayContent Content(byte[] rawProtobuf)
    {
        var content = new ByteArrayContent(Snappier.Snappy.CompressToArray(rawProtobuf));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(RemoteWriteDecoder.V2ContentType);
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "2.0.0");
        return content;
    }

    private static (string?, string?, string?) Written(HttpResponseMessage response) =>
        (Header(response, "X-Prometheus-Remote-Write-Samples-Written"), Header(response, "X-Prometheus-Remote-Write-Histograms-Written"),
         Header(response, "X-Prometheus-Remote-Write-Exemplars-Written"));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
