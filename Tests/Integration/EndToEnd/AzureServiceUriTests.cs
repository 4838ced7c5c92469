using System.Net;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// Azure Storage reached by service URI and a Microsoft Entra token (<c>DefaultAzureCredential</c>) instead of a
/// connection string: the settings' validation, the clients they build, and the real Silo and ApiHost processes on a
/// real Azurite that checks bearer tokens (https, <c>--oauth basic</c>), their tokens coming from a loopback endpoint
/// that speaks the managed-identity protocol of App Service and Container Apps (<c>IDENTITY_ENDPOINT</c>).
/// </summary>
/// <remarks>
/// Not covered: Microsoft Entra itself (signatures, role assignments: Azurite's basic OAuth checks issuer, audience and
/// lifetime only), IMDS (VMs, AKS pods without workload identity) and AKS workload identity; those paths are
/// <c>DefaultAzureCredential</c>'s own, configured only by <c>Azure:*</c>.
/// </remarks>
public sealed partial class AzureServiceUriTests(ITestOutputHelper output)
{
    private const string Secret = "a2V5c2VjcmV0";

    [Theory]
    [InlineData("http://acct.table.core.windows.net")]
    [InlineData("acct.table.core.windows.net")]
    [InlineData("https://acct.table.core.windows.net/?sv=2024&sig=" + Secret)]
    [InlineData("https://user:" + Secret + "@acct.table.core.windows.net")]
    public void A_bad_table_service_uri_is_refused_naming_the_key(string uri)
    {
        var e = Assert.Throws<OptionsValidationException>(() =>
            OptionsValidation.ThrowIfInvalid(new AzureTableClusteringOptions { ServiceUri = uri }));
        var message = string.Join(" ", e.Failures);
        Assert.Contains("Clustering:AzureTable:ServiceUri", message);
        Assert.Contains("https://<account>.table.core.windows.net", message);
        Assert.DoesNotContain(Secret, message);
    }

    [Fact]
    public void Table_connection_string_and_service_uri_are_exclusive()
    {
        var e = Assert.Throws<OptionsValidationException>(() => OptionsValidation.ThrowIfInvalid(new AzureTableClusteringOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Secret}",
            ServiceUri = "https://acct.table.core.windows.net",
        }));
        var message = string.Join(" ", e.Failures);
        Assert.Contains("Clustering:AzureTable:ConnectionString and Clustering:AzureTable:ServiceUri are alternatives", message);
        Assert.DoesNotContain(Secret, message);
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Secret, "https://acct.blob.core.windows.net",
        "Storage:AzureBlob:ConnectionString and Storage:AzureBlob:ServiceUri are alternatives")]
    [InlineData(null, "http://acct.blob.core.windows.net", "Storage:AzureBlob:ServiceUri must be the absolute https URI of the blob service")]
    [InlineData(null, "https://acct.blob.core.windows.net/?sig=" + Secret, "Storage:AzureBlob:ServiceUri")]
    public void A_bad_blob_setting_is_refused_naming_the_key(string? connectionString, string serviceUri, string expected)
    {
        var settings = new GrainStorageOptions { AzureBlob = { ConnectionString = connectionString, ServiceUri = serviceUri } };
        var e = Assert.Throws<OptionsValidationException>(() => OptionsValidation.ThrowIfInvalid(settings));
        var message = string.Join(" ", e.Failures);
        Assert.Contains(expected, message);
        Assert.DoesNotContain(Secret, message);
    }

    [Fact]
    public void A_service_uri_alone_selects_azure_blob_storage_and_azure_table_clustering()
    {
        var storage = new GrainStorageOptions { AzureBlob = { ServiceUri = "https://acct.blob.core.windows.net" } };
        OptionsValidation.ThrowIfInvalid(storage);
        Assert.Equal(GrainStorageProvider.AzureBlob, storage.EffectiveProvider);
        var table = new AzureTableClusteringOptions { ServiceUri = "https://acct.table.core.windows.net" };
        OptionsValidation.ThrowIfInvalid(table);
        Assert.Equal(ClusteringMode.AzureTable, new ClusterHostOptions().ResolveMode(table));
    }

    [Theory]
    [InlineData("Azure:ManagedIdentityClientId", "not-a-guid")]
    [InlineData("Azure:TenantId", "contoso tenant/")]
    public void A_bad_credential_setting_is_refused_naming_the_key(string key, string value)
    {
        var settings = key.EndsWith("TenantId", StringComparison.Ordinal)
            ? new AzureCredentialOptions { TenantId = value }
            : new AzureCredentialOptions { ManagedIdentityClientId = value };
        var e = Assert.Throws<OptionsValidationException>(() => OptionsValidation.ThrowIfInvalid(settings));
        Assert.Contains(key, string.Join(" ", e.Failures));
        OptionsValidation.ThrowIfInvalid(new AzureCredentialOptions { ManagedIdentityClientId = Guid.NewGuid().ToString(), TenantId = "contoso.onmicrosoft.com" });
    }

    /// <summary>
    /// The clients a service URI builds send the credential's token as <c>Authorization: Bearer</c> to that URI; the
    /// clients a connection string builds never ask the credential.
    /// </summary>
    [Fact]
    public async Task A_service_uri_builds_clients_that_send_the_credentials_bearer_token_to_it()
    {
        var credential = new StaticTokenCredential("token-123");
        var transport = new CapturingTransport();
        var table = AzureStorageClients.CreateTableServiceClient(
            new AzureTableClusteringOptions { ServiceUri = "https://acct.table.core.windows.net" }, () => credential,
            new TableClientOptions { Transport = transport, Retry = { MaxRetries = 0 } });
        var blob = AzureBlobClients.CreateBlobServiceClient(
            new GrainStorageOptions.AzureBlobOptions { ServiceUri = "https://acct.blob.core.windows.net" }, () => credential,
            new BlobClientOptions { Transport = transport, Retry = { MaxRetries = 0 } });
        Assert.Equal("acct", table.AccountName);
        Assert.Equal("acct", blob.AccountName);
        await Assert.ThrowsAnyAsync<Exception>(() => table.CreateTableIfNotExistsAsync("OrleansSiloInstances"));
        await Assert.ThrowsAnyAsync<Exception>(() => blob.GetBlobContainerClient("orleans-exemplars").CreateIfNotExistsAsync());

        Assert.Equal(2, transport.Requests.Count);
        Assert.Equal("acct.table.core.windows.net", transport.Requests[0].Host);
        Assert.Equal("acct.blob.core.windows.net", transport.Requests[1].Host);
        Assert.All(transport.Requests, r => Assert.Equal("Bearer token-123", r.Authorization));
        // The blob SDK asks for "https://storage.azure.com//.default" (sic), the table SDK without the double slash.
        Assert.All(credential.Scopes, s => Assert.Matches("^https://storage.azure.com//?.default$", s));

        var asked = false;
        AzureStorageClients.CreateTableServiceClient(new AzureTableClusteringOptions
        {
            ConnectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5",
        }, () => { asked = true; return credential; });
        Assert.False(asked, "a connection string must not create a credential");
    }

    [Fact]
    public void The_default_credential_is_built_from_the_Azure_section_and_shared_by_the_silos_clients()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Azure:ManagedIdentityClientId"] = Guid.NewGuid().ToString(),
        }).Build();
        var first = AzureStorageClients.GetOrAddCredential(services, configuration);
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(first);
        Assert.Same(first, AzureStorageClients.GetOrAddCredential(services, configuration));

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Azure:TenantId"] = "a b" }).Build();
        var e = Assert.Throws<OptionsValidationException>(() => AzureStorageClients.GetOrAddCredential(new ServiceCollection(), bad));
        Assert.Contains("Azure:TenantId", string.Join(" ", e.Failures));
    }

    [Theory]
    [InlineData("Silo")]
    [InlineData("ApiHost")]
    public async Task Both_a_connection_string_and_a_service_uri_stop_the_process_naming_the_keys(string project)
    {
        await using var host = HostProcess.Start(project, new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            ["Clustering__AzureTable__ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Secret};TableEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;",
            ["Clustering__AzureTable__ServiceUri"] = "https://acct.table.core.windows.net",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains("Clustering:AzureTable:ConnectionString and Clustering:AzureTable:ServiceUri are alternatives", host.Output);
        Assert.DoesNotContain(Secret, host.Output);
    }

    /// <summary>
    /// The production hosts configured only by service URIs and <c>Azure:ManagedIdentityClientId</c>, as on Azure
    /// Container Apps: their <c>DefaultAzureCredential</c> gets tokens from the managed-identity endpoint, the silo
    /// registers in the membership table and writes its ring to the blob container with them, the API host finds the
    /// silo's gateway in the table with them, and an exemplar written through the API host is answered back.
    /// </summary>
    [Fact]
    public async Task Silo_and_api_host_run_on_service_uris_with_managed_identity_tokens()
    {
        var dir = Directory.CreateTempSubdirectory("oe-azure-token-");
        try
        {
            var (caPem, certPem, keyPem) = WriteCertificates(dir.FullName);
            using var trusting = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == X509Certificate2.CreateFromPemFile(certPem, keyPem).Thumbprint,
            };
            await using var azurite = await AzuriteServer.StartHttpsOAuthAsync(certPem, keyPem, trusting);
            await using var identity = ManagedIdentityEndpoint.Start();
            var clientId = Guid.NewGuid().ToString();
            var clusterId = "token-" + Guid.NewGuid().ToString("N")[..8];

            // The processes trust the test CA through OpenSSL's SSL_CERT_FILE, as a container trusts its image's bundle.
            var bundle = Path.Combine(dir.FullName, "bundle.pem");
            var system = "/etc/ssl/certs/ca-certificates.crt";
            File.WriteAllText(bundle, (File.Exists(system) ? File.ReadAllText(system) : "") + File.ReadAllText(caPem));
            var shared = new Dictionary<string, string>
            {
                ["Cluster__ClusterId"] = clusterId,
                ["Clustering__AzureTable__ServiceUri"] = azurite.TableServiceUri!.ToString(),
                ["Storage__AzureBlob__ServiceUri"] = azurite.BlobServiceUri!.ToString(),
                ["Storage__AzureBlob__ContainerName"] = clusterId,
                ["Azure__ManagedIdentityClientId"] = clientId,
                ["IDENTITY_ENDPOINT"] = identity.Endpoint,
                ["IDENTITY_HEADER"] = identity.Header,
                ["SSL_CERT_FILE"] = bundle,
            };
            int dashboard = FreePort.Next(), apiPort = FreePort.Next();
            await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>(shared)
            {
                ["Urls"] = $"http://127.0.0.1:{dashboard}",
                ["Cluster__SiloPort"] = FreePort.Next().ToString(),
                ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            });
            var clientOptions = new TableClientOptions { Transport = new HttpClientTransport(trusting) };
            var membership = new TableClient(azurite.ConnectionString, "OrleansSiloInstances", clientOptions);
            Assert.True(await EventuallyAsync(async () =>
            {
                Assert.False(silo.HasExited, "the silo exited\n" + silo.Output);
                try
                {
                    await foreach (var row in membership.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId))
                    {
                        if (row.GetString("Status") == "Active") return true;
                    }
                }
                catch (Azure.RequestFailedException e) when (e.Status == 404)
                {
                }
                return false;
            }, TimeSpan.FromSeconds(90)), "the silo never became Active in the membership table\n" + silo.Output + "\n" + identity.Log);

            await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(shared) { ["Urls"] = $"http://127.0.0.1:{apiPort}" });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };
            var request = Request(Series(("__name__", "token_metric"), ("job", "token")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "t0k3n")));
            Assert.True(await EventuallyAsync(async () =>
            {
                Assert.False(api.HasExited, "the API host exited\n" + api.Output);
                try
                {
                    using var response = await http.PostAsync("api/v1/write", SnappyContent(request));
                    return response.StatusCode == HttpStatusCode.NoContent;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(90)), "no write through the API host\n" + api.Output + "\n" + silo.Output);
            var answer = await http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"token\"}"));
            Assert.Contains("t0k3n", answer);

            // A graceful stop writes the ring: to the blob container, with a token.
            await silo.TerminateAsync(TimeSpan.FromSeconds(60));
            var blobs = new BlobContainerClient(azurite.ConnectionString, clusterId, new BlobClientOptions { Transport = new HttpClientTransport(trusting) });
            var names = new List<string>();
            await foreach (var blob in blobs.GetBlobsAsync()) names.Add(blob.Name);
            output.WriteLine("blobs: " + string.Join(", ", names));
            output.WriteLine("identity endpoint: " + identity.Log);
            Assert.Contains(names, n => n.Contains("token_metric", StringComparison.Ordinal));

            Assert.NotEmpty(identity.Requests);
            Assert.All(identity.Requests, r =>
            {
                Assert.Equal(identity.Header, r.Header);
                Assert.Equal(clientId, r.ClientId);
                Assert.StartsWith("https://storage.azure.com", r.Resource, StringComparison.Ordinal);
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
