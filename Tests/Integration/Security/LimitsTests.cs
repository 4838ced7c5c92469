using System.Net;
using System.Text;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Security.AuthTestHelpers;

namespace OrleansExemplars.Tests.Security;

/// <summary>Body limits (413) on both sides and the optional per-client rate limit (429 with Retry-After).</summary>
public sealed class LimitsTests : IAsyncLifetime
{
    private ExemplarSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Api:MaxReadRequestBytes"] = "2048",
            ["Api:MaxRequestBytes"] = "4096",
            ["RateLimit:Write:PermitsPerSecond"] = "1",
            ["RateLimit:Write:Burst"] = "2",
            // Rate-limit partitions follow the credential: each test writes with its own token.
            ["Auth:Write:BearerTokens:0"] = "limited-client",
            ["Auth:Write:BearerTokens:1"] = "other-client",
            ["Auth:Write:BearerTokens:2"] = "oversize-client",
        });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    private static string LongQuery() => "{job=\"" + new string('x', 4000) + "\"}";

    [Fact]
    public async Task An_oversized_read_form_body_is_413_with_an_error_body()
    {
        using var response = await QueryAsync(_system, null, LongQuery());
        await AssertPrometheusErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "bad_data");
    }

    [Fact]
    public async Task An_oversized_chunked_read_body_is_413_too()
    {
        var form = Encoding.ASCII.GetBytes("query=" + Uri.EscapeDataString(LongQuery()));
        // A stream of unknown length: sent chunked, so the limit can only be noticed while reading.
        var content = new StreamContent(new NonSeekableStream(form));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/query_exemplars") { Content = content };
        using var response = await _system.Http.SendAsync(request);
        Assert.Null(request.Content.Headers.ContentLength);
        await AssertPrometheusErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "bad_data");

        var json = new StringContent("{\"query\":\"" + new string('y', 4000) + "\"}", Encoding.UTF8, "application/json");
        using var seed = await _system.Http.PostAsync("", json);
        await AssertPrometheusErrorAsync(seed, HttpStatusCode.RequestEntityTooLarge, "bad_data");
    }

    [Fact]
    public async Task A_small_read_body_passes()
    {
        using var response = await QueryAsync(_system, null, "{job=\"small\"}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_write_body_is_413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/write")
        {
            Content = new ByteArrayContent(new byte[64 * 1024]),
            Headers = { Authorization = Bearer("oversize-client") },
        };
        using var response = await _system.Http.SendAsync(request);
        await AssertPrometheusErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "bad_data");
    }

    [Fact]
    public async Task Past_the_burst_writes_are_429_with_Retry_After_and_pass_again_after_waiting()
    {
        for (var i = 0; i < 2; i++)
        {
            using var ok = await WriteAsync(_system, Bearer("limited-client"), "limited_metric");
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        }
        using var limited = await WriteAsync(_system, Bearer("limited-client"), "limited_metric");
        await AssertPrometheusErrorAsync(limited, HttpStatusCode.TooManyRequests, "unavailable");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        // Another client has its own bucket; the read side has no limit configured.
        using (var other = await WriteAsync(_system, Bearer("other-client"), "limited_metric"))
        {
            Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);
        }
        using (var read = await QueryAsync(_system, null, "limited_metric")) Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(300));
        using var again = await WriteAsync(_system, Bearer("limited-client"), "limited_metric");
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
