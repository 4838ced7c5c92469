using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>What the upstream receives and what the caller gets back, seen from both ends of the proxy.</summary>
public sealed class ProxyBehaviourTests(ProxyBehaviourFixture fixture) : IClassFixture<ProxyBehaviourFixture>
{
    private LoopbackUpstream Upstream => fixture.Upstream;
    private HttpClient Http => fixture.Ours.Http;

    [Fact]
    public async Task The_request_is_passed_on_unchanged_except_headers_beyond_the_standard_ones_and_credentials()
    {
        Upstream.Respond = async http =>
        {
            http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.Headers["X-Upstream"] = "yes";
            await http.Response.WriteAsync("{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"too many points\"}");
        };
        const string form = "query=sum%28rate%28x%5B5m%5D%29%29&start=1700000000.123&end=1700003600.5&step=15";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/query_range?x=1&y=%2F&z=%E4%B8%AD")
        {
            Content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"),
        };
        request.Headers.UserAgent.ParseAdd("Grafana/11.3.0");
        request.Headers.Accept.ParseAdd("application/json, text/plain, */*");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate");
        request.Headers.TryAddWithoutValidation("X-Scope-OrgID", "tenant-1");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic Y2xpZW50OmFwaWhvc3Qtc2VjcmV0"); // for the API host only
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0");
        var before = Upstream.Requests.Count;

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("yes", response.Headers.GetValues("X-Upstream").Single());
        Assert.Equal("{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"too many points\"}", await response.Content.ReadAsStringAsync());

        var got = Assert.Single(Upstream.Requests.Skip(before));
        Assert.Equal("POST", got.Method);
        Assert.Equal("/prefix/api/v1/query_range", got.Path);
        Assert.Equal("?x=1&y=%2F&z=%E4%B8%AD", got.QueryString);
        Assert.Equal(form, Encoding.ASCII.GetString(got.Body));
        Assert.Equal("application/x-www-form-urlencoded; charset=us-ascii", got.Header("Content-Type"));
        Assert.Equal("Grafana/11.3.0", got.Header("User-Agent"));
        Assert.Equal("application/json, text/plain, */*", got.Header("Accept"));
        Assert.Equal("gzip, deflate", got.Header("Accept-Encoding"));
        Assert.Null(got.Header("X-Scope-OrgID")); // a tenant passes only with Query:TenantHeader (ReadOnlyProxyTests)
        Assert.Equal(Upstream.BaseAddress.Authority, got.Header("Host"));
        Assert.Equal("Bearer " + ProxyBehaviourFixture.Token, got.Header("Authorization"));
        Assert.Null(got.Header("Keep-Alive"));
        Assert.Null(got.Header("Proxy-Authorization"));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task The_answer_is_streamed_not_buffered()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.Respond = async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"status\":\"success\",\"data\":", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20), http.RequestAborted);
            await http.Response.WriteAsync("[]}", http.RequestAborted);
        };
        using var response = await Http.GetAsync("api/v1/query?query=up", HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[64];
        var read = await body.ReadAtLeastAsync(first, "{\"status\":\"success\",\"data\":".Length).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("{\"status\":\"success\",\"data\":", Encoding.UTF8.GetString(first, 0, read)); // before the upstream finished
        release.SetResult();
        using var rest = new StreamReader(body);
        Assert.Equal("[]}", await rest.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_silent_upstream_is_504_with_a_timeout_error_body()
    {
        Upstream.Respond = async http => await Task.Delay(TimeSpan.FromSeconds(20), http.RequestAborted);
        var clock = Stopwatch.StartNew();
        using var response = await Http.GetAsync("api/v1/query?query=up&time=1700000000.5");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var message = await ProxyAssert.PrometheusErrorAsync(response, PrometheusErrors.Timeout);
        Assert.Contains("Query:UpstreamTimeout", message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task Write_and_query_exemplars_are_never_proxied()
    {
        Upstream.Respond = LoopbackUpstream.DefaultAnswer;
        var before = Upstream.Requests.Count;
        var t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using (var write = await Http.PostAsync("api/v1/write", SnappyContent(Request(
                   Series(("__name__", "local_total")).WithSample(1, t).WithExemplar(1, t, ("trace_id", "local-1"))))))
        {
            Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        }
        using (var query = await Http.GetAsync("api/v1/query_exemplars?query=local_total"))
        {
            Assert.Contains("local-1", await query.Content.ReadAsStringAsync());
        }
        using (var form = await Http.PostAsync("api/v1/query_exemplars",
                   new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = "rate(local_total[1m])" })))
        {
            Assert.Contains("local-1", await form.Content.ReadAsStringAsync());
        }
        using (var get = await Http.GetAsync("api/v1/write"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
            Assert.Equal("POST", get.Content.Headers.Allow.Single());
        }
        using (var delete = await Http.DeleteAsync("api/v1/Query_Exemplars/"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        }
        Assert.Equal(before, Upstream.Requests.Count);

        // A path outside the read API is not passed on either, whatever it looks like.
        using var refused = await Http.GetAsync("api/v1/query_exemplars_not_really");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("read-only", await ProxyAssert.PrometheusErrorAsync(refused, PrometheusErrors.Forbidden));
        Assert.Equal(before, Upstream.Requests.Count);
        using var proxied = await Http.GetAsync("api/v1/query?query=up");
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("/prefix/api/v1/query", Upstream.Requests[^1].Path);
    }

    private void AssertNoSecretLogged()
    {
        Assert.NotEmpty(fixture.Logs.Entries);
        foreach (var (_, _, message) in fixture.Logs.Entries)
        {
            Assert.DoesNotContain(ProxyBehaviourFixture.Token, message);
            Assert.DoesNotContain("YXBpaG9zdC1zZWNyZXQ", message); // the caller's own credentials
        }
    }
}
