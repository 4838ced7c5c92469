using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansExemplars.Hosting.Clustering;
using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// Mutual TLS on the Orleans ports (<c>Cluster:Tls</c>) with the real processes: two silos on Azure Table clustering
/// over a real Azurite and the API host, all with one self-signed certificate made here (PKCS#12 with a password for
/// one silo and the API host, PEM certificate and key for the other). A write and a query work end to end with grains
/// on both silos; an Orleans client without TLS, or with a certificate the cluster does not trust, cannot connect to a
/// gateway, while the same client with the cluster's certificate can.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output)
{
    private const int Metrics = 24;

    [Fact]
    public async Task Silos_and_the_api_host_talk_over_mutual_TLS_and_a_client_without_it_cannot_connect()
    {
        using var certificates = TestCertificates.InNewDirectory();
        var cluster = certificates.SelfSigned("orleans-exemplars-cluster");
        var stranger = certificates.SelfSigned("someone-else");
        await using var azurite = await AzuriteServer.StartAsync();
        var clusterId = "tls-" + Guid.NewGuid().ToString("N")[..8];
        var shared = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = clusterId,
            ["Clustering__AzureTable__ConnectionString"] = azurite.ConnectionString,
        };
        var pfx = new Dictionary<string, string>(shared)
        {
            ["Cluster__Tls__CertificatePath"] = cluster.Pfx,
            ["Cluster__Tls__CertificatePassword"] = TestCertificates.PfxPassword,
        };
        var pem = new Dictionary<string, string>(shared)
        {
            ["Cluster__Tls__CertificatePath"] = cluster.CertificatePem,
            ["Cluster__Tls__KeyPath"] = cluster.KeyPem,
        };
        int webA = FreePort.Next(), webB = FreePort.Next(), gatewayA = FreePort.Next(), apiPort = FreePort.Next();
        await using var siloA = HostProcess.Start("Silo", Silo(pfx, webA, gatewayA));
        await using var siloB = HostProcess.Start("Silo", Silo(pem, webB, FreePort.Next()));
        var membership = new TableClient(azurite.ConnectionString, "OrleansSiloInstances");
        Assert.True(await EventuallyAsync(async () =>
        {
            Assert.False(siloA.HasExited || siloB.HasExited, $"a silo exited\n{siloA.Output}\n{siloB.Output}");
            return await ActiveSilosAsync(membership, clusterId) == 2;
        }, TimeSpan.FromSeconds(120)), $"two Active silos never appeared\n{siloA.Output}\n{siloB.Output}");

        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(pfx) { ["Urls"] = $"http://127.0.0.1:{apiPort}" });
        string Logs() => $"--- silo A\n{siloA.Output}\n--- silo B\n{siloB.Output}\n--- api\n{api.Output}";
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };

        // Metric grains are placed at random, so some live on the silo the API host is not talking to: their calls
        // cross the silo-to-silo connection, TLS too.
        var request = Request(Enumerable.Range(0, Metrics).Select(m => Series(("__name__", $"tls_metric_{m}"), ("job", "tls"))
            .WithSample(m, 1000).WithExemplar(m, 1000, ("trace_id", $"tls-{m}"))).ToArray());
        Assert.True(await EventuallyAsync(async () =>
        {
            using var response = await TryAsync(() => http.PostAsync("api/v1/write", SnappyContent(request)));
            return response?.StatusCode == HttpStatusCode.NoContent;
        }, TimeSpan.FromSeconds(90)), "no successful write through the API host\n" + Logs());
        var answer = await http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"tls\"}"));
        for (var m = 0; m < Metrics; m++) Assert.Contains($"\"tls-{m}\"", answer);
        var appendedA = await AppendedAsync(http, webA);
        var appendedB = await AppendedAsync(http, webB);
        output.WriteLine($"exemplars appended over TLS: silo A {appendedA}, silo B {appendedB}");
        Assert.Equal(Metrics, appendedA + appendedB);
        Assert.True(appendedA > 0 && appendedB > 0, $"grains were not spread over both silos (A {appendedA}, B {appendedB})");

        // An Orleans client at silo A's gateway: refused without TLS and with a certificate from elsewhere …
        var plain = await TryConnectAsync(clusterId, gatewayA, tls: null);
        Assert.NotNull(plain);
        output.WriteLine($"client without TLS: {plain!.GetType().Name}: {plain.Message}");
        using (var foreign = ClusterCertificates.Load(new ClusterTlsOptions { CertificatePath = stranger.CertificatePem, KeyPath = stranger.KeyPem }))
        {
            var refused = await TryConnectAsync(clusterId, gatewayA, foreign);
            Assert.NotNull(refused);
            output.WriteLine($"client with a foreign certificate: {refused!.GetType().Name}: {refused.Message}");
        }
        // … and let in, the same client, with the cluster's certificate: what kept the others out was TLS.
        using (var trusted = ClusterCertificates.Load(new ClusterTlsOptions { CertificatePath = cluster.Pfx, CertificatePassword = TestCertificates.PfxPassword }))
        {
            var hosts = 0;
            var failure = await TryConnectAsync(clusterId, gatewayA, trusted,
                async client => hosts = (await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count);
            Assert.True(failure is null, "the client with the cluster's certificate could not connect: " + failure);
            Assert.Equal(2, hosts);
        }
        Assert.DoesNotContain(TestCertificates.PfxPassword, Logs());
    }

    [Theory]
    [InlineData("Silo")]
    [InlineData("ApiHost")]
    public async Task A_certificate_that_cannot_be_read_stops_the_process_naming_the_key(string project)
    {
        using var certificates = TestCertificates.InNewDirectory();
        var good = certificates.SelfSigned("node");
        foreach (var (settings, key) in new[]
                 {
                     (new Dictionary<string, string> { ["Cluster__Tls__CertificatePath"] = "/nonexistent/cluster.pfx" }, "Cluster:Tls:CertificatePath"),
                     (new Dictionary<string, string>
                     {
                         ["Cluster__Tls__CertificatePath"] = good.Pfx, ["Cluster__Tls__CertificatePassword"] = "not-the-password-93",
                     }, "Cluster:Tls:CertificatePassword"),
                 })
        {
            settings["Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
            settings["Cluster__SiloPort"] = FreePort.Next().ToString();
            settings["Cluster__GatewayPort"] = FreePort.Next().ToString();
            await using var host = HostProcess.Start(project, settings);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await host.WaitForExitAsync(timeout.Token);
            Assert.NotEqual(0, host.ExitCode);
            Assert.Contains(key, host.Output);
            Assert.DoesNotContain("not-the-password-93", host.Output);
        }
    }

    private static Dictionary<string, string> Silo(Dictionary<string, string> settings, int webPort, int gatewayPort) => new(settings)
    {
        ["Urls"] = $"http://127.0.0.1:{webPort}",
        ["Cluster__SiloPort"] = FreePort.Next().ToString(),
        ["Cluster__GatewayPort"] = gatewayPort.ToString(),
    };

    /// <summary>Starts an Orleans client at one gateway (with <paramref name="tls"/> as the hosts configure it); the failure, or null.</summary>
    private static async Task<Exception?> TryConnectAsync(string clusterId, int gatewayPort, ClusterCertificates? tls,
        Func<IClusterClient, Task>? use = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "orleans-exemplars";
            });
            if (tls is not null) client.UseTls(o => ClusterTls.Configure(o, tls));
        });
        using var host = builder.Build();
        try
        {
            // The client with the cluster's certificate connects in well under a second; the others keep retrying a
            // handshake the gateway refuses, until this gives up.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.StartAsync(timeout.Token);
            if (use is not null) await use(host.Services.GetRequiredService<IClusterClient>()).WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(stop.Token);
            }
            catch (Exception)
            {
                // A client that never connected may not stop cleanly; it is disposed either way.
            }
        }
    }

    private static async Task<int> ActiveSilosAsync(TableClient membership, string clusterId)
    {
        var active = 0;
        try
        {
            await foreach (var row in membership.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId))
            {
                if (row.GetString("Status") == "Active") active++;
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
        }
        return active;
    }

    private static async Task<long> AppendedAsync(HttpClient http, int webPort)
    {
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{webPort}/metrics");
        var match = System.Text.RegularExpressions.Regex.Match(metrics, @"(?m)^oe_exemplars_appended_total(\{[^}]*\})? (\d+)");
        return match.Success ? long.Parse(match.Groups[2].Value) : 0;
    }

    private static async Task<HttpResponseMessage?> TryAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(250);
        }
        return await condition();
    }
}
