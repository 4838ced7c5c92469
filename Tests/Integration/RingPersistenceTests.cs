using System.Net;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>Write-behind: a metric grain's ring survives its deactivation (stored on deactivation, restored on activation).</summary>
public sealed class RingPersistenceTests
{
    [Fact]
    public async Task A_deactivated_metric_grain_comes_back_with_the_same_exemplars()
    {
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Exemplars:MaxExemplarsPerMetric"] = "50",
        });
        var series = Series(("__name__", "persisted_metric"), ("job", "p")).WithSample(1, 1000);
        for (var i = 0; i < 80; i++) series.WithExemplar(i, 1000 + i, ("trace_id", $"t{i}"));
        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(series))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        var before = await system.Http.GetStringAsync("api/v1/query_exemplars?query=persisted_metric");
        Assert.Contains("\"t79\"", before);

        await system.DeactivateAsync(system.Client.GetGrain<IMetricGrain>("persisted_metric"));

        var after = await system.Http.GetStringAsync("api/v1/query_exemplars?query=persisted_metric");
        Assert.Equal(before, after);

        // The restored ring keeps evicting in the same order: 10 more push out t30..t39.
        var more = Series(("__name__", "persisted_metric"), ("job", "p")).WithSample(2, 2000);
        for (var i = 80; i < 90; i++) more.WithExemplar(i, 1000 + i, ("trace_id", $"t{i}"));
        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(more))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        var latest = await system.Http.GetStringAsync("api/v1/query_exemplars?query=persisted_metric");
        Assert.DoesNotContain("\"t39\"", latest);
        Assert.Contains("\"t40\"", latest);
        Assert.Contains("\"t89\"", latest);
    }
}

/// <summary>With Azure Blob grain storage (real Azurite), rings and the catalog outlive the whole cluster.</summary>
public sealed class AzureBlobPersistenceTests
{
    [Fact]
    public async Task Exemplars_survive_a_cluster_restart_on_azure_blob_storage()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            ["Storage:AzureBlob:ContainerName"] = "exemplars-test",
        };
        string before;
        await using (var first = await ExemplarSystem.StartAsync(settings: settings))
        {
            var request = Request(
                Series(("__name__", "blob_metric_a"), ("job", "blob")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "a1")).WithExemplar(2, 2000, ("trace_id", "a2")),
                Series(("__name__", "blob_metric_b"), ("job", "blob")).WithSample(1, 1000).WithExemplar(3, 1500, ("trace_id", "b1")));
            using var response = await first.Http.PostAsync("api/v1/write", SnappyContent(request));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            before = await first.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"blob\"}"));
            Assert.Contains("\"b1\"", before);
        } // graceful stop: grains deactivate and write their rings

        await using var second = await ExemplarSystem.StartAsync(settings: settings);
        // No metric name: the catalog (also in blob storage) must remember both names.
        var after = await second.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"blob\"}"));
        Assert.Equal(before, after);
    }
}
