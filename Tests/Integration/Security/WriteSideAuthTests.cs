using System.Net;
using Microsoft.Extensions.Logging;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Security.AuthTestHelpers;

namespace OrleansExemplars.Tests.Security;

/// <summary>The write side needs a bearer token or basic credentials; the read side stays open.</summary>
public sealed class WriteSideAuthTests : IAsyncLifetime
{
    private const string Token = "write-token-7f3a9c0e5b";
    private const string WrongToken = "wrong-token-2d8e41a6c9";
    private const string Password = "s3cret-pässword";
    private const string WrongPassword = "not-the-password-x1";

    private readonly ListLoggerProvider _logs = new();
    private ExemplarSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Auth:Write:BearerTokens:0"] = Token,
            ["Auth:Write:BasicUsers:prometheus"] = Bcrypt(Password),
            // Make ASP.NET Core's authentication log its failures, so the no-secret check below has something to read.
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        }, configureApi: api => api.Logging.AddProvider(_logs));

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task Missing_credentials_are_401_with_both_challenges_and_an_error_body()
    {
        using var response = await WriteAsync(_system, null);
        await AssertPrometheusErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        var challenges = Challenges(response);
        Assert.Contains("Bearer realm=\"OrleansExemplars\"", challenges);
        Assert.Contains("Basic realm=\"OrleansExemplars\"", challenges);
    }

    [Fact]
    public async Task Wrong_credentials_are_401()
    {
        using (var response = await WriteAsync(_system, Bearer(WrongToken)))
        {
            await AssertPrometheusErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Contains("error=\"invalid_token\"", Challenges(response));
        }
        using (var response = await WriteAsync(_system, Basic("prometheus", WrongPassword)))
        {
            await AssertPrometheusErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
        using (var response = await WriteAsync(_system, Basic("nobody", Password)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var response = await WriteAsync(_system, new("Basic", "not base64!")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_right_bearer_token_or_basic_credentials_pass()
    {
        using (var response = await WriteAsync(_system, Bearer(Token)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        using (var response = await WriteAsync(_system, Basic("prometheus", Password)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        // Second time: answered from the verification cache, same outcome.
        using (var response = await WriteAsync(_system, Basic("prometheus", Password)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_read_side_and_the_operational_endpoints_stay_open()
    {
        using (var response = await WriteAsync(_system, Bearer(Token))) Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var response = await QueryAsync(_system, null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("t1", await response.Content.ReadAsStringAsync());
        }
        using (var response = await PostQueryAsync(_system, null)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await _system.Http.GetAsync("api/v1/query_exemplars?query=auth_metric"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        foreach (var path in new[] { "metrics", "-/healthy", "-/ready", "healthz", "readyz" })
        {
            using var response = await _system.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task No_secret_reaches_the_logs()
    {
        using (await WriteAsync(_system, Bearer(WrongToken))) { }
        using (await WriteAsync(_system, Basic("prometheus", WrongPassword))) { }
        using (await WriteAsync(_system, Bearer(Token))) { }
        using (await WriteAsync(_system, Basic("prometheus", Password))) { }

        var entries = _logs.Entries;
        // The failures were logged (so the check below looks at real log lines)…
        Assert.Contains(entries, e => e.Message.Contains("was not authenticated", StringComparison.Ordinal));
        // …and none of them, nor anything else, carries a token, a password or the base64 of user:password.
        string[] secrets =
        [
            Token, WrongToken, Password, WrongPassword,
            Basic("prometheus", Password).Parameter!, Basic("prometheus", WrongPassword).Parameter!,
        ];
        foreach (var (_, category, message) in entries)
        {
            foreach (var secret in secrets) Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
        }
    }
}
