using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>Bad <c>RemoteWrite</c> settings stop start-up with messages naming their keys.</summary>
public sealed class RemoteWriteOptionsTests
{
    private const string E0 = "RemoteWrite:Endpoints:0";

    [Fact]
    public async Task No_endpoints_is_valid_and_means_no_senders()
    {
        await using var host = ForwardingHost.Create(new Dictionary<string, string?>());
        Assert.Empty(host.Senders);
    }

    [Fact]
    public async Task Defaults_are_Prometheus_like()
    {
        await using var host = ForwardingHost.Create(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "https://victoria.example:8428/api/v1/write",
        });
        var options = host.Services.GetRequiredService<IOptions<RemoteWriteOptions>>().Value;
        Assert.Equal((16, 2000, TimeSpan.FromSeconds(1)), (options.Shards, options.MaxSamplesPerSend, options.BatchSendDeadline));
        var endpoint = Assert.Single(options.Endpoints);
        Assert.Equal("victoria.example:8428", endpoint.Name);
        Assert.Equal(RemoteWriteProtocol.V1, endpoint.Protocol);
        Assert.False(endpoint.SendExemplars);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(30), TimeSpan.FromSeconds(5), (int?)null),
            (endpoint.Timeout, endpoint.MinBackoff, endpoint.MaxBackoff, endpoint.MaxRetries));
        Assert.Equal("victoria.example:8428", Assert.Single(host.Senders).Name);
    }

    [Theory]
    [InlineData("RemoteWrite:Shards", "0", "RemoteWrite:Shards")]
    [InlineData("RemoteWrite:Shards", "4097", "RemoteWrite:Shards")]
    [InlineData("RemoteWrite:MaxSamplesPerSend", "0", "RemoteWrite:MaxSamplesPerSend")]
    [InlineData("RemoteWrite:MaxSamplesPerSend", "1000001", "RemoteWrite:MaxSamplesPerSend")]
    [InlineData("RemoteWrite:BatchSendDeadline", "00:00:00", "RemoteWrite:BatchSendDeadline")]
    [InlineData("RemoteWrite:BatchSendDeadline", "00:02:00", "RemoteWrite:BatchSendDeadline")]
    [InlineData($"{E0}:Url", "victoria:8428/api/v1/write", $"{E0}:Url must be an absolute http(s) URL")]
    [InlineData($"{E0}:Url", "ftp://victoria/api/v1/write", $"{E0}:Url must be an absolute http(s) URL")]
    [InlineData($"{E0}:Url", "", $"{E0}:Url must be an absolute http(s) URL")]
    [InlineData($"{E0}:Timeout", "00:00:00", $"{E0}:Timeout")]
    [InlineData($"{E0}:MinBackoff", "00:00:00", $"{E0}:MinBackoff")]
    [InlineData($"{E0}:MaxBackoff", "00:00:00.010", $"{E0}:MaxBackoff")]
    [InlineData($"{E0}:MaxRetries", "-1", $"{E0}:MaxRetries")]
    [InlineData($"{E0}:Headers:Authorization", "Bearer x", $"{E0}:Headers:Authorization")]
    [InlineData($"{E0}:Headers:Content-Type", "text/plain", $"{E0}:Headers:Content-Type")]
    [InlineData($"{E0}:Headers:Bad Name", "x", $"{E0}:Headers:Bad Name")]
    [InlineData($"{E0}:BasicAuthPassword", "no-user", $"{E0}:BasicAuthUsername")]
    [InlineData($"{E0}:BearerTokenFile", "/nonexistent/oe-token", $"{E0}:BearerTokenFile")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [$"{E0}:Url"] = "http://127.0.0.1:8428/api/v1/write", [key] = value };

        var errors = ValidationErrors(settings);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://writer:s3cret-pass@victoria:8428/api/v1/write")]
    [InlineData("https://writer@victoria:8428/api/v1/write")]
    public void A_url_with_credentials_is_refused_pointing_to_the_basic_auth_keys_without_repeating_them(string url)
    {
        var errors = ValidationErrors(new Dictionary<string, string?> { [$"{E0}:Url"] = url });

        var error = Assert.Single(errors);
        Assert.Contains($"{E0}:Url must not carry credentials", error);
        Assert.Contains($"{E0}:BasicAuthUsername", error);
        Assert.Contains($"{E0}:BasicAuthPassword", error);
        Assert.DoesNotContain("s3cret", error);
        Assert.DoesNotContain("writer", error);
    }

    [Theory]
    [InlineData("victoria:8428/api/v1/write?api_key=s3cret")]
    [InlineData("ftp://writer:s3cret@victoria/api/v1/write")]
    public void A_bad_url_is_not_repeated_with_its_secrets(string url)
    {
        var errors = ValidationErrors(new Dictionary<string, string?> { [$"{E0}:Url"] = url });

        var error = Assert.Single(errors);
        Assert.Contains($"{E0}:Url must be an absolute http(s) URL", error);
        Assert.DoesNotContain("s3cret", error);
    }

    [Fact]
    public void Basic_auth_and_a_bearer_token_together_are_refused()
    {
        var errors = ValidationErrors(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "http://127.0.0.1:8428/api/v1/write",
            [$"{E0}:BasicAuthUsername"] = "u",
            [$"{E0}:BasicAuthPassword"] = "p",
            [$"{E0}:BearerToken"] = "t",
        });
        Assert.Contains(errors, e => e.Contains($"{E0}:", StringComparison.Ordinal) && e.Contains("basic auth") && e.Contains("BearerToken"));
    }

    [Fact]
    public void A_password_and_a_password_file_together_are_refused()
    {
        using var file = new TempFile("p");
        var errors = ValidationErrors(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "http://127.0.0.1:8428/api/v1/write",
            [$"{E0}:BasicAuthUsername"] = "u",
            [$"{E0}:BasicAuthPassword"] = "p",
            [$"{E0}:BasicAuthPasswordFile"] = file.Path,
        });
        Assert.Contains(errors, e => e.Contains($"{E0}:BasicAuthPassword and {E0}:BasicAuthPasswordFile", StringComparison.Ordinal));
    }

    [Fact]
    public void A_token_and_a_token_file_together_are_refused()
    {
        using var file = new TempFile("t");
        var errors = ValidationErrors(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "http://127.0.0.1:8428/api/v1/write",
            [$"{E0}:BearerToken"] = "t",
            [$"{E0}:BearerTokenFile"] = file.Path,
        });
        Assert.Contains(errors, e => e.Contains($"{E0}:BearerToken and {E0}:BearerTokenFile", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_endpoints_with_the_same_default_name_are_refused()
    {
        var errors = ValidationErrors(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "http://127.0.0.1:8428/api/v1/write",
            ["RemoteWrite:Endpoints:1:Url"] = "http://127.0.0.1:8428/other/write",
        });
        Assert.Contains(errors, e => e.Contains("RemoteWrite:Endpoints:1:Name", StringComparison.Ordinal) && e.Contains(E0));
    }

    [Fact]
    public void A_valid_configuration_has_no_errors()
    {
        using var file = new TempFile("t");
        Assert.Empty(ValidationErrors(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "http://127.0.0.1:8428/api/v1/write",
            [$"{E0}:BearerTokenFile"] = file.Path,
            [$"{E0}:Headers:X-Scope-OrgID"] = "t1",
            [$"{E0}:MaxRetries"] = "0",
            ["RemoteWrite:Endpoints:1:Url"] = "https://mimir.example/api/v1/push",
            ["RemoteWrite:Endpoints:1:Protocol"] = "V2",
            ["RemoteWrite:Endpoints:1:BasicAuthUsername"] = "u",
        }));
    }

    [Fact]
    public async Task Start_up_fails_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{E0}:Url"] = "not a url",
        });
        builder.Services.AddRemoteWriteForwarding(builder.Configuration);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"{E0}:Url must be an absolute http(s) URL", e.Message);
    }

    [Fact]
    public void Endpoints_added_outside_the_configuration_are_refused_rather_than_sent_without_retries()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRemoteWriteForwarding(new ConfigurationBuilder().Build());
        services.Configure<RemoteWriteOptions>(o => o.Endpoints.Add(new RemoteWriteEndpointOptions { Url = "http://127.0.0.1:9/w" }));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<RemoteWriteSenders>());

        Assert.Contains("RemoteWrite:Endpoints", e.Message);
    }

    private static List<string> ValidationErrors(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRemoteWriteForwarding(configuration);
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<RemoteWriteOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException e)
        {
            return e.Failures.ToList();
        }
    }
}
