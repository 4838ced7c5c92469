using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Proxy;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Proxy;

/// <summary><c>Query:*</c> settings: checked at start naming the key; unset means 404; basic auth for the upstream.</summary>
public sealed class ProxyConfigurationTests
{
    [Theory]
    [InlineData("Query:UpstreamUrl", "victoriametrics:8428", "Query:UpstreamUrl")]
    [InlineData("Query:UpstreamUrl", "ftp://tsdb/", "Query:UpstreamUrl")]
    [InlineData("Query:UpstreamUrl", "/relative", "Query:UpstreamUrl")]
    [InlineData("Query:UpstreamUrl", "http://tsdb:8428/?tenant=1", "Query:UpstreamUrl")]
    [InlineData("Query:UpstreamTimeout", "00:00:00.100", "Query:UpstreamTimeout")]
    [InlineData("Query:UpstreamTimeout", "soon", "Query:UpstreamTimeout")]
    [InlineData("Query:UpstreamPassword", "pw", "Query:UpstreamUsername")]
    [InlineData("Query:UpstreamUsername", "a:b", "Query:UpstreamUsername")]
    [InlineData("Query:TenantHeader", "Authorization", "Query:TenantHeader")]
    [InlineData("Query:TenantHeader", "X Scope OrgID", "Query:TenantHeader")]
    [InlineData("Query:UpstreamUrl", "http://{tenant}.vmselect:8481/prometheus", "Query:UpstreamUrl")]
    public void A_bad_setting_is_refused_naming_the_key(string key, string value, string named)
    {
        var e = Assert.ThrowsAny<Exception>(() => Resolve(new() { ["Query:UpstreamUrl"] = "http://tsdb:8428", [key] = value }));
        Assert.Contains(named, Flatten(e));
    }

    [Fact]
    public void Bearer_token_and_basic_auth_together_are_refused_naming_both()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Query:UpstreamUrl"] = "http://tsdb:8428", ["Query:UpstreamBearerToken"] = "t",
            ["Query:UpstreamUsername"] = "u", ["Query:UpstreamPassword"] = "p",
        }));
        Assert.Contains("Query:UpstreamBearerToken", e.Message);
        Assert.Contains("Query:UpstreamUsername", e.Message);
    }

    [Fact]
    public void Credentials_in_the_url_are_refused_without_repeating_them()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Query:UpstreamUrl"] = "http://grafana:Pa55w0rd@tsdb:8428" }));
        Assert.Contains("Query:UpstreamUrl", e.Message);
        Assert.DoesNotContain("Pa55w0rd", e.Message);
    }

    [Fact]
    public void Unset_or_empty_url_means_no_proxy_and_is_valid()
    {
        Assert.False(Resolve(new()).IsConfigured);
        Assert.False(Resolve(new() { ["Query:UpstreamUrl"] = "" }).IsConfigured);
        Assert.Equal(TimeSpan.FromMinutes(2), Resolve(new()).UpstreamTimeout);
    }

    [Fact]
    public async Task The_api_host_does_not_start_with_a_bad_upstream_url()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?> { ["Query:UpstreamUrl"] = "tsdb:8428" });
        });
        Assert.Contains("Query:UpstreamUrl", Flatten(e));
    }

    [Fact]
    public async Task Without_an_upstream_the_api_paths_are_404_with_a_Prometheus_error_body()
    {
        await using var system = await ExemplarSystem.StartAsync();
        using (var get = await system.Http.GetAsync("api/v1/query?query=up"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Contains("Query:UpstreamUrl", await ProxyAssert.PrometheusErrorAsync(get, PrometheusErrors.NotFound));
        }
        using (var post = await system.Http.PostAsync("api/v1/labels", new FormUrlEncodedContent(new Dictionary<string, string> { ["start"] = "1" })))
        {
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
            await ProxyAssert.PrometheusErrorAsync(post, PrometheusErrors.NotFound);
        }
        using var exemplars = await system.Http.GetAsync("api/v1/query_exemplars?query=up");
        Assert.Equal(HttpStatusCode.OK, exemplars.StatusCode);
    }

    [Fact]
    public async Task Basic_auth_reaches_the_upstream_and_is_never_logged()
    {
        await using var upstream = await LoopbackUpstream.StartAsync();
        var logs = new ListLoggerProvider();
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Query:UpstreamUrl"] = upstream.BaseAddress.ToString(),
            ["Query:UpstreamUsername"] = "grafana",
            ["Query:UpstreamPassword"] = "pässw0rd-Q7",
            // Long enough for a cold first request on a loaded 2-core CI machine; the slow answer below outlasts it.
            ["Query:UpstreamTimeout"] = "00:00:05",
        }, configureApi: api =>
        {
            api.Logging.SetMinimumLevel(LogLevel.Trace);
            api.Logging.AddProvider(logs);
        });
        using (var ok = await system.Http.GetAsync("api/v1/labels"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("grafana:pässw0rd-Q7"));
        Assert.Equal("Basic " + encoded, upstream.Requests.Single().Header("Authorization"));

        upstream.Respond = async http => await Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
        using (var slow = await system.Http.GetAsync("api/v1/labels"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        }
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("RequestTimedOut"));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("pässw0rd-Q7") || e.Message.Contains(encoded));
    }

    private static QueryProxyOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddPrometheusProxy(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<QueryProxyOptions>>().Value;
    }

    private static string Flatten(Exception e) => e is AggregateException a
        ? string.Join("\n", a.InnerExceptions.Select(Flatten))
        : e.Message + (e.InnerException is null ? "" : "\n" + Flatten(e.InnerException));
}
