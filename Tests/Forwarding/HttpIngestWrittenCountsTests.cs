using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequestsV2;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// The <c>X-Prometheus-Remote-Write-*-Written</c> counts of a remote-write 2.0 request, with forwarding on, against what
/// really reached the TSDB (a real remote-write receiver on loopback that records every request).
/// </summary>
public sealed class HttpIngestWrittenCountsTests
{
    [Fact]
    public async Task Native_histograms_that_are_not_forwarded_are_not_counted_as_written_and_the_request_says_so()
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
        // Symbols: 0 "", 1 __name__, 2 rw2_float, 3 job, 4 hist, 5 rw2_native, 6 trace_id, 7 abc
        var request = RequestV2(["", "__name__", "rw2_float", "job", "hist", "rw2_native", "trace_id", "abc"],
            SeriesRefs(1, 2, 3, 4).WithSample(1, t).WithSample(2, t + 1000).WithExemplarRefs(0.5, t + 500, 6, 7),
            SeriesRefs(1, 5, 3, 4).WithHistogram(3, t).WithHistogram(5, t + 1000));
        var content = new ByteArrayContent(RemoteWriteDecoder.EncodeSnappy(request));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(RemoteWriteDecoder.V2ContentType);
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "2.0.0");

        using var response = await system.Http.PostAsync("api/v1/write", content);
        var body = await response.Content.ReadAsStringAsync();

        // What reached the TSDB is what the headers report, and a partial write is not a 2xx (remote write 2.0 spec).
        var received = tsdb.Requests.Where(r => r.V2 is not null).SelectMany(r => r.V2!.Timeseries).ToList();
        Assert.Equal(2, received.Sum(ts => ts.Samples.Count));
        Assert.Equal(0, received.Sum(ts => ts.Histograms.Count));
        Assert.Equal(1, received.Sum(ts => ts.Exemplars.Count));
        Assert.Equal("2", Header(response, "X-Prometheus-Remote-Write-Samples-Written"));
        Assert.Equal("0", Header(response, "X-Prometheus-Remote-Write-Histograms-Written"));
        Assert.Equal("1", Header(response, "X-Prometheus-Remote-Write-Exemplars-Written"));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
        var error = json.RootElement.GetProperty("error").GetString()!;
        Assert.Contains("2 native histogram samples", error);
        Assert.Contains("not forwarded", error);
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
        var content = new ByteArrayContent(RemoteWriteDecoder.EncodeSnappy(request));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(RemoteWriteDecoder.V2ContentType);
        content.Headers.ContentEncoding.Add("snappy");

        using var response = await system.Http.PostAsync("api/v1/write", content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1", Header(response, "X-Prometheus-Remote-Write-Samples-Written"));
        Assert.Equal("0", Header(response, "X-Prometheus-Remote-Write-Histograms-Written"));
        Assert.Equal(1, tsdb.Requests.Sum(r => r.Series.Sum(s => s.Samples.Length)));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
