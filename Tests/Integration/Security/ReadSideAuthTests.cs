using System.Net;
using System.Security.Cryptography;
using System.Text;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Security.AuthTestHelpers;

namespace OrleansExemplars.Tests.Security;

/// <summary>
/// The read side needs credentials (a token configured as its SHA-256, users from an htpasswd file that is re-read
/// when it changes); the write side stays open.
/// </summary>
public sealed class ReadSideAuthTests : IAsyncLifetime
{
    private const string Token = "grafana-token-91c2e7";
    private readonly string _usersFile = Path.GetTempFileName();
    private ExemplarSystem _system = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_usersFile, $"# htpasswd -nbBC 10\ngrafana:{Bcrypt("first")}\n");
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
        _system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Auth:Read:BearerTokens:0"] = "sha256:" + sha,
            ["Auth:Read:BasicUsersFile"] = _usersFile,
            ["Auth:Realm"] = "exemplars",
        });
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        File.Delete(_usersFile);
    }

    [Fact]
    public async Task Every_read_endpoint_is_401_without_credentials_and_the_write_side_is_open()
    {
        using (var response = await WriteAsync(_system, null)) Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var response = await QueryAsync(_system, null))
        {
            await AssertPrometheusErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Contains("Bearer realm=\"exemplars\"", Challenges(response));
            Assert.Contains("Basic realm=\"exemplars\"", Challenges(response));
        }
        using (var response = await _system.Http.GetAsync("api/v1/query_exemplars?query=auth_metric"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var response = await PostQueryAsync(_system, null))
        {
            await AssertPrometheusErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
        using (var response = await QueryAsync(_system, Bearer("sha256:" + Token))) // the hash form is config-only
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        // Open by default: health probes and /metrics (Auth:ProtectMetrics is off).
        foreach (var path in new[] { "metrics", "-/healthy", "-/ready", "healthz", "readyz" })
        {
            using var response = await _system.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_token_and_the_basic_user_pass()
    {
        using (var response = await WriteAsync(_system, null)) Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var response = await QueryAsync(_system, Bearer(Token)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("t1", await response.Content.ReadAsStringAsync());
        }
        using (var response = await QueryAsync(_system, Basic("grafana", "first"))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await PostQueryAsync(_system, Bearer(Token))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_changed_users_file_takes_effect_without_a_restart()
    {
        using (var response = await QueryAsync(_system, Basic("grafana", "first"))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await File.WriteAllTextAsync(_usersFile, $"grafana:{Bcrypt("second")}\nalice:{Bcrypt("wonderland")}\n");
        File.SetLastWriteTimeUtc(_usersFile, DateTime.UtcNow.AddSeconds(5)); // a new version even on coarse clocks
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var response = await QueryAsync(_system, Basic("grafana", "second"));
            status = response.StatusCode;
        } while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        using (var response = await QueryAsync(_system, Basic("alice", "wonderland"))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await QueryAsync(_system, Basic("grafana", "first"))) Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        // A broken file keeps the last good users in force.
        await File.WriteAllTextAsync(_usersFile, "grafana:plaintext-password\n");
        File.SetLastWriteTimeUtc(_usersFile, DateTime.UtcNow.AddSeconds(10));
        await Task.Delay(1500);
        using (var response = await QueryAsync(_system, Basic("grafana", "second"))) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary><c>Auth:ProtectMetrics</c> puts <c>/metrics</c> behind the read side's credentials; health stays open.</summary>
public sealed class ProtectedMetricsTests
{
    [Fact]
    public async Task Metrics_need_read_credentials_and_health_probes_do_not()
    {
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Auth:Read:BearerTokens:0"] = "reader",
            ["Auth:ProtectMetrics"] = "true",
        });
        using (var response = await system.Http.GetAsync("metrics"))
        {
            await AssertPrometheusErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = Bearer("reader") } })
        using (var response = await system.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        foreach (var path in new[] { "-/healthy", "-/ready", "healthz", "readyz" })
        {
            using var response = await system.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
