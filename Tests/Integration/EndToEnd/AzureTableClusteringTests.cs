using System.Diagnostics;
using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// Several real Silo processes and the real ApiHost process on Azure Table clustering over a real Azurite: they form
/// one cluster, and when a silo crashes the survivor takes over its grains: their rings from Azure Blob grain storage,
/// and what was acknowledged since from the dead silo's WAL (the silos share a WAL root, as they would share a disk).
/// </summary>
public sealed class AzureTableClusteringTests(ITestOutputHelper output)
{
    private const int Metrics = 40;
    private const string MembershipTable = "OrleansSiloInstances";
    private static readonly string JobQuery = "api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"failover\"}");

    [Fact]
    public async Task Two_silos_form_one_cluster_and_the_survivor_serves_a_killed_silos_exemplars_within_30_s()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var clusterId = "failover-" + Guid.NewGuid().ToString("N")[..8];
        var shared = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = clusterId,
            ["Clustering__AzureTable__ConnectionString"] = azurite.ConnectionString,
            ["Storage__AzureBlob__ConnectionString"] = azurite.ConnectionString,
            ["Storage__AzureBlob__ContainerName"] = clusterId,
            // Never written behind during the test: the killed silo's exemplars live only in its memory and its WAL.
            ["Exemplars__PersistInterval"] = "01:00:00",
            ["Wal__Directory"] = System.IO.Directory.CreateTempSubdirectory("oe-failover-wal-").FullName,
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        int dashboardA = FreePort.Next(), dashboardB = FreePort.Next(), siloPortB = FreePort.Next(), apiPort = FreePort.Next();
        await using var siloA = HostProcess.Start("Silo", Silo(shared, dashboardA, FreePort.Next()));
        await using var siloB = HostProcess.Start("Silo", Silo(shared, dashboardB, siloPortB));
        var membership = new TableClient(azurite.ConnectionString, MembershipTable);
        Assert.True(await EventuallyAsync(async () =>
        {
            Assert.False(siloA.HasExited || siloB.HasExited, $"a silo exited\n{siloA.Output}\n{siloB.Output}");
            return (await StatusesAsync(membership, clusterId)).Count(s => s.Status == "Active") == 2;
        }, TimeSpan.FromSeconds(120)), $"two Active silos never appeared in the membership table\n{siloA.Output}\n{siloB.Output}");

        // Started once both silos are in the table, so its first read of the gateway list (refreshed every minute)
        // has both. It is told only where the table is.
        await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(shared)
        {
            ["Urls"] = $"http://127.0.0.1:{apiPort}",
        });
        string Logs() => $"--- silo A\n{siloA.Output}\n--- silo B\n{siloB.Output}\n--- api\n{api.Output}";
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(10) };

        // One request, one series per metric grain: a 204 means every exemplar is in its grain.
        var request = Request(Enumerable.Range(0, Metrics).Select(m => Series(("__name__", $"failover_metric_{m}"), ("job", "failover"))
            .WithSample(m, 1000).WithExemplar(m, 1000, ("trace_id", $"a{m}")).WithExemplar(m + 0.5, 2000, ("trace_id", $"b{m}"))).ToArray());
        Assert.True(await EventuallyAsync(async () =>
        {
            using var response = await TryAsync(() => http.PostAsync("api/v1/write", SnappyContent(request)));
            return response?.StatusCode == HttpStatusCode.NoContent;
        }, TimeSpan.FromSeconds(90)), "no successful write through the API host\n" + Logs());

        // Both silos hold some of the metric grains.
        var appendedA = await AppendedAsync(http, dashboardA);
        var appendedB = await AppendedAsync(http, dashboardB);
        output.WriteLine($"exemplars appended: silo A {appendedA}, silo B {appendedB}");
        Assert.Equal(2 * Metrics, appendedA + appendedB);
        Assert.True(appendedA > 0 && appendedB > 0, $"grains were not spread over both silos (A {appendedA}, B {appendedB})");

        var before = await http.GetStringAsync(JobQuery);
        for (var m = 0; m < Metrics; m++) Assert.Contains($"\"b{m}\"", before);

        var blobs = new BlobContainerClient(azurite.ConnectionString, clusterId);
        Assert.Equal(0, await CountBlobsAsync(blobs, "ring"));

        await siloB.KillAsync();
        var clock = Stopwatch.StartNew();
        TimeSpan? declaredDead = null, served = null;
        var lastAnswer = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && (declaredDead is null || served is null))
        {
            if (declaredDead is null && (await StatusesAsync(membership, clusterId)).Any(s => s.Port == siloPortB && s.Status == "Dead"))
            {
                declaredDead = clock.Elapsed;
            }
            if (served is null)
            {
                var asked = clock.Elapsed;
                using var response = await TryAsync(() => http.GetAsync(JobQuery));
                var answer = response is null ? "(no answer)" : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (answer == "200 " + before) served = clock.Elapsed;
                // What the API host answers meanwhile, once per kind (the messages differ only in addresses).
                else if (Shorten(answer) != Shorten(lastAnswer))
                {
                    output.WriteLine($"{asked.TotalSeconds:F1} s: asked, {clock.Elapsed.TotalSeconds:F1} s: {Shorten(answer)}");
                }
                lastAnswer = answer;
            }
            await Task.Delay(100);
        }
        output.WriteLine($"silo B SIGKILLed; declared Dead in the membership table after {Seconds(declaredDead)}, " +
                         $"all {2 * Metrics} exemplars answered through the API host after {Seconds(served)}");
        Assert.False(siloA.HasExited, "the surviving silo exited\n" + Logs());
        Assert.True(declaredDead is not null, "the killed silo was never declared dead\n" + Logs());
        Assert.True(served is not null, $"the exemplars never came back; last answer: {lastAnswer}\n" + Logs());
        Assert.True(declaredDead <= TimeSpan.FromSeconds(30), $"declared dead after {Seconds(declaredDead)} (> 30 s)");
        Assert.True(served <= TimeSpan.FromSeconds(30), $"exemplars answered after {Seconds(served)} (> 30 s)");
        // The replay logs once its grains have also written their rings, which may come a moment after they answer.
        Assert.True(await EventuallyAsync(() => Task.FromResult(siloA.Output.Contains("Replayed WAL", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30)), "the survivor never logged the replay of the killed silo's WAL\n" + Logs());
    }

    [Theory]
    [InlineData("Silo", "Clustering__AzureTable__ConnectionString", "not a connection string", "Clustering:AzureTable:ConnectionString")]
    [InlineData("ApiHost", "Clustering__AzureTable__ConnectionString", "not a connection string", "Clustering:AzureTable:ConnectionString")]
    [InlineData("Silo", "Clustering__AzureTable__TableName", "9lives", "Clustering:AzureTable:TableName")]
    [InlineData("ApiHost", "Clustering__AzureTable__TableName", "", "Clustering:AzureTable:TableName")]
    [InlineData("Silo", "Cluster__Clustering", "AzureTable", "Clustering:AzureTable:ConnectionString")]
    [InlineData("ApiHost", "Cluster__Clustering", "Consul", "Cluster:Clustering")]
    [InlineData("Silo", "Cluster__AdvertisedIPAddress", "my-host", "Cluster:AdvertisedIPAddress")]
    [InlineData("Silo", "Cluster__ProbeTimeout", "00:00:00.010", "Cluster:ProbeTimeout")]
    [InlineData("Silo", "Cluster__NumMissedProbesLimit", "0", "Cluster:NumMissedProbesLimit")]
    public async Task A_bad_clustering_setting_stops_the_process_naming_the_key(string project, string variable, string value, string key)
    {
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
            // Well-formed but pointing at a closed loopback port: the bad setting must stop start-up before any call.
            ["Clustering__AzureTable__ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;",
        };
        if (variable == "Cluster__Clustering") environment.Remove("Clustering__AzureTable__ConnectionString");
        environment[variable] = value;
        await using var host = HostProcess.Start(project, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, host.ExitCode);
        Assert.Contains(key, host.Output);
        Assert.DoesNotContain("a2V5", host.Output);
    }

    private static Dictionary<string, string> Silo(Dictionary<string, string> shared, int dashboardPort, int siloPort) => new(shared)
    {
        ["Urls"] = $"http://127.0.0.1:{dashboardPort}",
        ["Cluster__SiloPort"] = siloPort.ToString(),
        ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
    };

    private static async Task<List<(int Port, string Status)>> StatusesAsync(TableClient membership, string clusterId)
    {
        var rows = new List<(int, string)>();
        try
        {
            await foreach (var row in membership.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId))
            {
                if (row.GetString("Status") is { } status && int.TryParse(row["Port"]?.ToString(), out var port)) rows.Add((port, status));
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // The first silo has not created the table yet.
        }
        return rows;
    }

    private static async Task<long> AppendedAsync(HttpClient http, int dashboardPort)
    {
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{dashboardPort}/metrics");
        var match = System.Text.RegularExpressions.Regex.Match(metrics, @"(?m)^oe_exemplars_appended_total(\{[^}]*\})? (\d+)");
        return match.Success ? long.Parse(match.Groups[2].Value) : 0;
    }

    private static async Task<int> CountBlobsAsync(BlobContainerClient blobs, string nameContains)
    {
        var count = 0;
        try
        {
            await foreach (var blob in blobs.GetBlobsAsync())
            {
                if (blob.Name.Contains(nameContains, StringComparison.OrdinalIgnoreCase)) count++;
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
        }
        return count;
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
            await Task.Delay(200);
        }
        return await condition();
    }

    private static string Shorten(string answer) => answer.Length > 100 ? answer[..100] + "…" : answer;

    private static string Seconds(TimeSpan? t) => t is { } v ? $"{v.TotalSeconds:F1} s" : "never (90 s)";
}
