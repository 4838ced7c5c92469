using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Operations;

/// <summary>
/// The Orleans dashboard of a real silo process behind the same <c>Auth:Read</c> settings as the API host's read side:
/// the page and its JSON API are 401 without credentials and 200 with; <c>/metrics</c> follows
/// <c>Auth:ProtectMetrics</c>; the probes stay open. With <c>Dashboard:Urls</c> the dashboard answers only on its own
/// listener.
/// </summary>
public sealed class DashboardAuthTests
{
    private const string Password = "dash-pässword-63";
    private const string Token = "dash-token-0c41f2";

    /// <summary>The page, and the JSON the page polls.</summary>
    private static readonly string[] DashboardPaths = ["", "DashboardCounters"];

    [Fact]
    public async Task With_read_credentials_the_dashboard_and_its_api_need_them_and_the_probes_stay_open()
    {
        var web = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{web}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            ["Auth__Read__BasicUsers__ops"] = BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(4, 'y')),
            ["Auth__Read__BearerTokens__0"] = Token,
            ["Auth__Realm"] = "silo-dashboard",
            ["Auth__ProtectMetrics"] = "true",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}/"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitForSiloAsync(silo, http);

        foreach (var path in DashboardPaths.Append("metrics"))
        {
            using (var anonymous = await http.GetAsync(path))
            {
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"/{path} without credentials: {(int)anonymous.StatusCode}");
                var challenges = string.Join(" | ", anonymous.Headers.WwwAuthenticate);
                Assert.Contains("Basic realm=\"silo-dashboard\"", challenges); // the browser's login prompt
                Assert.Contains("Bearer realm=\"silo-dashboard\"", challenges);
                using var body = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync());
                Assert.Equal("unauthorized", body.RootElement.GetProperty("errorType").GetString());
            }
            using (var wrong = await SendAsync(http, path, Basic("ops", "not-it"))) Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using (var basic = await SendAsync(http, path, Basic("ops", Password))) Assert.True(basic.StatusCode == HttpStatusCode.OK, $"/{path} with basic auth: {(int)basic.StatusCode}");
            using (var bearer = await SendAsync(http, path, new AuthenticationHeaderValue("Bearer", Token))) Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        }
        using (var counters = await SendAsync(http, "DashboardCounters", Basic("ops", Password)))
        {
            using var json = JsonDocument.Parse(await counters.Content.ReadAsStringAsync());
            Assert.True(json.RootElement.TryGetProperty("simpleGrainStats", out _)); // the real dashboard API answered
        }
        foreach (var probe in new[] { "healthz", "readyz", "-/healthy", "-/ready" })
        {
            using var response = await http.GetAsync(probe);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var healthy = await http.GetAsync("healthz")) Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task With_Dashboard_Urls_the_dashboard_answers_only_on_its_own_listener()
    {
        int web = FreePort.Next(), dashboard = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{web}",
            ["Dashboard__Urls"] = $"http://127.0.0.1:{dashboard}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitForSiloAsync(silo, http, new Uri($"http://127.0.0.1:{web}/"));
        foreach (var path in DashboardPaths)
        {
            using var own = await http.GetAsync($"http://127.0.0.1:{dashboard}/{path}");
            Assert.True(own.StatusCode == HttpStatusCode.OK, $"/{path} on Dashboard:Urls: {(int)own.StatusCode}");
            using var other = await http.GetAsync($"http://127.0.0.1:{web}/{path}");
            Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"/{path} on Urls: {(int)other.StatusCode}");
        }
        foreach (var port in new[] { web, dashboard })
        {
            using var metrics = await http.GetAsync($"http://127.0.0.1:{port}/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            using var healthy = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8081", true)]
    [InlineData("http://0.0.0.0:8081", true)]
    [InlineData("http://[::1]:8081", true)]
    [InlineData("http://localhost:8081", true)]
    [InlineData("http://127.0.0.1:8081;http://[::1]:8081", true)]
    [InlineData("http://127.0.0.1", false)]
    [InlineData("https://127.0.0.1:8081", false)]
    [InlineData("http://127.0.0.1:8081/dashboard", false)]
    [InlineData("http://silo1:8081", false)]
    [InlineData("127.0.0.1:8081", false)]
    public void Dashboard_Urls_are_http_listen_addresses_with_a_port(string urls, bool valid)
    {
        var settings = new Silo.Hosting.SiloDashboardOptions { Urls = urls };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var ok = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(settings,
            new System.ComponentModel.DataAnnotations.ValidationContext(settings), results, validateAllProperties: true);
        Assert.Equal(valid, ok);
        Assert.All(results, r => Assert.Contains("Dashboard:Urls", r.ErrorMessage));
    }

    [Fact]
    public async Task A_dashboard_port_that_is_also_in_Urls_stops_the_silo_naming_both_keys()
    {
        var web = FreePort.Next();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{web}",
            ["Dashboard__Urls"] = $"http://0.0.0.0:{web}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await silo.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, silo.ExitCode);
        Assert.Contains("Dashboard:Urls and Urls", silo.Output);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, AuthenticationHeaderValue auth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = auth } };
        return await http.SendAsync(request);
    }

    private static async Task WaitForSiloAsync(HostProcess silo, HttpClient http, Uri? baseAddress = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(silo.HasExited, "silo exited: " + silo.Output);
            try
            {
                using var ready = await http.GetAsync(baseAddress is null ? new Uri("readyz", UriKind.Relative) : new Uri(baseAddress, "readyz"));
                if (ready.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(300);
        }
        Assert.Fail("the silo did not become ready within 90 s: " + silo.Output);
    }
}
