using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansExemplars.Hosting.Security;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Security;

/// <summary>A bad auth or limit setting stops start-up with a message naming its key and never the secret.</summary>
public sealed class AuthConfigurationTests
{
    [Theory]
    [InlineData("Auth:Write:BasicUsers:alice", "plain-password", "Auth:Write:BasicUsers:alice")]
    [InlineData("Auth:Read:BasicUsers:bob", "$2y$10$tooShort", "Auth:Read:BasicUsers:bob")]
    [InlineData("Auth:Read:BasicUsers:bob", "$2y$99$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyza", "Auth:Read:BasicUsers:bob")]
    [InlineData("Auth:Read:BearerTokens:0", "sha256:abc", "Auth:Read:BearerTokens:0")]
    [InlineData("Auth:Write:BearerTokens:0", " padded ", "Auth:Write:BearerTokens:0")]
    [InlineData("Auth:Write:BasicUsersFile", "/nonexistent/htpasswd", "Auth:Write:BasicUsersFile")]
    [InlineData("Auth:Read:BearerTokensFile", "/nonexistent/tokens", "Auth:Read:BearerTokensFile")]
    [InlineData("Auth:Realm", "a \"quoted\" realm", "Auth:Realm")]
    [InlineData("RateLimit:Write:PermitsPerSecond", "-1", "RateLimit:Write:PermitsPerSecond")]
    [InlineData("RateLimit:Read:Burst", "-5", "RateLimit:Read:Burst")]
    [InlineData("Api:MaxReadRequestBytes", "10", "Api:MaxReadRequestBytes")]
    public async Task A_bad_setting_fails_start_up_naming_the_key(string key, string value, string named)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?> { [key] = value });
        });
        var message = Flatten(e);
        Assert.Contains(named, message);
        if (key.Contains("BasicUsers:", StringComparison.Ordinal)) Assert.DoesNotContain(value, message);
    }

    [Fact]
    public async Task A_malformed_line_of_a_users_file_fails_start_up_naming_key_and_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, $"ok:{AuthTestHelpers.Bcrypt("x")}\nbroken:hunter2\n");
            var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var system = await ExemplarSystem.StartAsync(
                    settings: new Dictionary<string, string?> { ["Auth:Read:BasicUsersFile"] = file });
            });
            var message = Flatten(e);
            Assert.Contains("Auth:Read:BasicUsersFile", message);
            Assert.Contains("line 2", message);
            Assert.DoesNotContain("hunter2", message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Prometheus_style_hashes_are_accepted_and_verified()
    {
        // $2y$ (htpasswd, Prometheus docs), $2a$ and $2b$ (Go's and Python's bcrypt) all verify.
        foreach (var revision in new[] { 'y', 'a', 'b' })
        {
            var hash = BCrypt.Net.BCrypt.HashPassword("pw", BCrypt.Net.BCrypt.GenerateSalt(4, revision));
            Assert.True(CredentialParsing.IsBcryptHash(hash), hash);
            Assert.True(CredentialParsing.TryValidateUser("u", hash, "k", out _));
        }
        Assert.False(CredentialParsing.IsBcryptHash("pw"));
        Assert.False(CredentialParsing.TryValidateUser("a:b", AuthTestHelpers.Bcrypt("x"), "k", out _));
    }

    [Fact]
    public async Task Unknown_users_are_checked_against_the_dummy_hash_and_refused()
    {
        var options = Options.Create(new AuthOptions());
        options.Value.Read.BasicUsers["known"] = AuthTestHelpers.Bcrypt("right");
        var store = new CredentialStore(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System);
        // The dummy hash unknown users are compared with is a real cost-10 bcrypt hash (a comparison takes as long).
        Assert.True(CredentialParsing.IsBcryptHash(BcryptVerifier.DummyHash));
        Assert.False(BCrypt.Net.BCrypt.Verify("right", BcryptVerifier.DummyHash)); // would throw on a malformed hash
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var verifier = new BcryptVerifier(new AuthMetrics(services.GetRequiredService<IMeterFactory>(),
            new FailedLoginLimiter(options.Value.FailedLogins, TimeProvider.System)));
        var read = store.For(AccessSide.Read);
        Assert.True(await verifier.VerifyAsync(read, "known", "right", default));
        Assert.False(await verifier.VerifyAsync(read, "known", "wrong", default));
        Assert.False(await verifier.VerifyAsync(read, "unknown", "right", default));
        Assert.False(await verifier.VerifyAsync(store.For(AccessSide.Write), "known", "right", default));
    }

    private static string Flatten(Exception e) => e switch
    {
        OptionsValidationException o => string.Join("; ", o.Failures) + " " + o.Message,
        AggregateException a => string.Join(" | ", a.InnerExceptions.Select(Flatten)),
        _ => e.Message + (e.InnerException is null ? "" : " <- " + Flatten(e.InnerException)),
    };
}
