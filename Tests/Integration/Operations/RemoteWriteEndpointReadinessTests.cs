using System.Net;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// Remote-write endpoint secrets and the real Silo process: a URL carrying <c>user:pass@</c> stops it at start-up naming
/// the key, and <c>/readyz</c> (up or down) never shows the endpoint's password or the query string of its URL.
/// </summary>
public sealed class RemoteWriteEndpointReadinessTests
{
    [Fact]
    public async Task A_remote_write_url_with_user_and_password_stops_the_silo_at_start_naming_the_key()
    {
        await using var silo = HostProcess.Start("Silo", Cluster(new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["RemoteWrite__Endpoints__0__Url"] = $"http://writer:s3cret-pass@127.0.0.1:{FreePort.Next()}/api/v1/write",
        }));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await silo.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the silo started with credentials in RemoteWrite:Endpoints:0:Url:\n" + silo.Output);
        }

        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains("RemoteWrite:Endpoints:0:Url must not carry credentials", silo.Output);
        Assert.Contains("RemoteWrite:Endpoints:0:BasicAuthUsername", silo.Output);
        Assert.DoesNotContain("s3cret", silo.Output);
    }

    [Fact]
    public async Task Readyz_shows_neither_the_password_nor_the_query_string_of_an_endpoint_up_or_down()
    {
        await using var victoria = await VictoriaMetricsServer.StartAsync();
        var siloPort = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", Cluster(new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            // VictoriaMetrics takes extra_label in the query string; a tenant's token often rides there too.
            ["RemoteWrite__Endpoints__0__Url"] = victoria.WriteUrl + "?extra_label=team%3Dsre&api_key=s3cret-query",
            ["RemoteWrite__Endpoints__0__BasicAuthUsername"] = "writer",
            ["RemoteWrite__Endpoints__0__BasicAuthPassword"] = "s3cret-pass",
            ["Health__CacheDuration"] = "00:00:00.500",
            ["Health__Timeout"] = "00:00:01",
        }));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var siloBase = $"http://127.0.0.1:{siloPort}/";

        foreach (var (expected, before) in new[] { (HttpStatusCode.OK, (Func<Task>?)null), (HttpStatusCode.ServiceUnavailable, (Func<Task>?)victoria.StopAsync) })
        {
            if (before is not null) await before();
            var (status, body) = await WaitForAsync(http, siloBase + "readyz", expected, silo);
            Assert.True(status == expected, $"{status}: {body}\n{silo.Output}");
            Assert.Contains("remote-write:", body);
            Assert.DoesNotContain("s3cret", body);
            Assert.DoesNotContain("api_key", body);
            using var plain = await http.GetAsync(siloBase + "-/ready");
            Assert.DoesNotContain("s3cret", await plain.Content.ReadAsStringAsync());
        }
        Assert.DoesNotContain("s3cret", silo.Output);
    }

    private static Dictionary<string, string> Cluster(Dictionary<string, string> settings)
    {
        settings["Cluster__ClusterId"] = "rw-secrets-" + Guid.NewGuid().ToString("N");
        settings["Cluster__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Cluster__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    private static async Task<(HttpStatusCode? Status, string Body)> WaitForAsync(HttpClient http, string url,
        HttpStatusCode wanted, HostProcess host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        (HttpStatusCode? Status, string Body) last = (null, "no answer");
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(host.HasExited, "the silo exited: " + host.Output);
            try
            {
                using var response = await http.GetAsync(url);
                last = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (last.Status == wanted) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = (null, e.Message);
            }
            await Task.Delay(250);
        }
        return last;
    }
}
