using System.Diagnostics;
using System.Net;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>The TSDB stops: proxied paths answer 502 with a Prometheus error body at once, exemplars are still served.</summary>
public sealed class UpstreamOutageTests
{
    [Fact]
    public async Task Upstream_stopped_is_502_with_an_error_body_while_exemplars_are_still_answered()
    {
        await using var tsdb = await VictoriaMetricsServer.StartAsync();
        await using var ours = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Query:UpstreamUrl"] = tsdb.BaseAddress.ToString(),
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.WriteUrl.ToString(),
        });
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        using (var written = await ours.Http.PostAsync("api/v1/write", SnappyContent(Request(
                   Series(("__name__", "checkout_total"), ("job", "shop")).WithSample(1, t).WithExemplar(1, t, ("trace_id", "abc123"))))))
        {
            Assert.Equal(HttpStatusCode.NoContent, written.StatusCode);
        }
        using (var before = await ours.Http.GetAsync("api/v1/query?query=1%2B1"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await tsdb.StopAsync();
        var clock = Stopwatch.StartNew();
        using (var get = await ours.Http.GetAsync("api/v1/query?query=up&time=" + t / 1000))
        {
            Assert.Equal(HttpStatusCode.BadGateway, get.StatusCode);
            var message = await ProxyAssert.PrometheusErrorAsync(get, PrometheusErrors.Unavailable);
            Assert.Contains(tsdb.BaseAddress.Authority, message);
            Assert.Contains("refused", message, StringComparison.OrdinalIgnoreCase);
        }
        using (var post = await ours.Http.PostAsync("api/v1/query_range", new FormUrlEncodedContent(new Dictionary<string, string>
               {
                   ["query"] = "rate(checkout_total[1m])", ["start"] = "1700000000.5", ["end"] = "1700000600.5", ["step"] = "15",
               })))
        {
            Assert.Equal(HttpStatusCode.BadGateway, post.StatusCode);
            await ProxyAssert.PrometheusErrorAsync(post, PrometheusErrors.Unavailable);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a refused connection took {clock.Elapsed} to report");

        using (var exemplars = await ours.Http.GetAsync("api/v1/query_exemplars?query=rate(checkout_total%5B1m%5D)"))
        {
            Assert.Equal(HttpStatusCode.OK, exemplars.StatusCode);
            Assert.Contains("abc123", await exemplars.Content.ReadAsStringAsync());
        }

        await tsdb.StartAgainAsync();
        using var after = await ours.Http.GetAsync("api/v1/query?query=1%2B1");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
