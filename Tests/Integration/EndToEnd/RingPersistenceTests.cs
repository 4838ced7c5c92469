using System.Net;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Grains;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
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

/// <summary>Rings and the catalog outlive the whole cluster on the embedded default, file grain storage.</summary>
public sealed class FilePersistenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Exemplars_survive_a_cluster_restart_on_file_storage()
    {
        var directory = Path.Combine(Path.GetTempPath(), "oe-restart-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Storage:File:Directory"] = directory };
        try
        {
            string before;
            await using (var first = await ExemplarSystem.StartAsync(settings: settings))
            {
                using var response = await first.Http.PostAsync("api/v1/write", SnappyContent(PersistenceData.Request("file", 1000)));
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                before = await first.Http.GetStringAsync(PersistenceData.Query("file"));
                Assert.Contains(PersistenceData.TraceId(999), before);
            } // graceful stop: grains deactivate and write their rings

            var ring = Directory.GetFiles(directory, "*.state", SearchOption.AllDirectories)
                .Single(f => Path.GetFileName(f) == GrainFileNames.Encode("file/metric:a") + ".state");
            var size = new FileInfo(ring).Length;
            output.WriteLine($"file storage: {size} B for 1000 exemplars = {size / 1000.0:0.0} B per exemplar ({ring})");

            await using var second = await ExemplarSystem.StartAsync(settings: settings);
            // No metric name in the query: the catalog (also in files) must remember both names.
            var after = await second.Http.GetStringAsync(PersistenceData.Query("file"));
            Assert.Equal(before, after);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>With Azure Blob grain storage (real Azurite), rings and the catalog outlive the whole cluster, stored in Orleans' binary format.</summary>
public sealed class AzureBlobPersistenceTests(ITestOutputHelper output)
{
    private const string Container = "exemplars-test";

    [Fact]
    public async Task Exemplars_survive_a_cluster_restart_on_azure_blob_storage()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var settings = Settings(azurite);
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

    [Fact]
    public async Task A_reactivated_grain_restores_its_ring_byte_for_byte_from_a_compact_binary_blob()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var system = await ExemplarSystem.StartAsync(settings: Settings(azurite));
        const int count = 1000;
        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(PersistenceData.Request("blob", count))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        var before = await system.Http.GetStringAsync(PersistenceData.Query("blob"));

        var metric = system.Client.GetGrain<IMetricGrain>("blob/metric:a");
        await system.DeactivateAsync(metric);
        var blob = await RingBlobAsync(azurite, "blob/metric:a");

        // Not JSON, and nothing but Orleans' small envelope around the ring's own snapshot.
        Assert.NotEqual((byte)'{', blob[0]);
        var serializer = system.SiloServices().GetRequiredService<Serializer>();
        var stored = serializer.Deserialize<MetricRingState>(blob);
        var snapshot = stored?.Snapshot ?? throw new InvalidOperationException("no ring in the blob");
        output.WriteLine($"azure blob: {blob.Length} B for {count} exemplars = {blob.Length / (double)count:0.00} B per exemplar " +
                         $"(ring snapshot {snapshot.Length} B = {snapshot.Length / (double)count:0.00} B per exemplar, Orleans envelope {blob.Length - snapshot.Length} B)");
        Assert.InRange(blob.Length - snapshot.Length, 1, 16);
        // A 32-hex trace id alone is 33 B; with value, timestamp and indexes the snapshot spends ~51 B per exemplar.
        Assert.True(blob.Length / (double)count < 56, $"{blob.Length / (double)count:0.0} B per exemplar");

        // Reactivation (by the query) restores that ring: same answer, and re-snapshotting it gives the same bytes.
        var after = await system.Http.GetStringAsync(PersistenceData.Query("blob"));
        Assert.Equal(before, after);
        var capacity = 10_000;
        Assert.Equal(snapshot, ExemplarRingSnapshot.Write(ExemplarRingSnapshot.Read(snapshot, capacity)));
    }

    [Fact]
    public async Task A_ring_stored_as_json_by_the_previous_version_is_still_read()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var settings = Settings(azurite);
        string before;
        byte[] json;
        await using (var first = await ExemplarSystem.StartAsync(settings: settings))
        {
            using var response = await first.Http.PostAsync("api/v1/write", SnappyContent(PersistenceData.Request("legacy", 100)));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            before = await first.Http.GetStringAsync(PersistenceData.Query("legacy"));
            await first.DeactivateAsync(first.Client.GetGrain<IMetricGrain>("legacy/metric:a"));
            // Rewrite the blob as Orleans' default (JSON) serializer stored it before this version.
            var binary = await RingBlobAsync(azurite, "legacy/metric:a");
            var services = first.SiloServices();
            var state = services.GetRequiredService<Serializer>().Deserialize<MetricRingState>(binary);
            json = services.GetRequiredService<IGrainStorageSerializer>().Serialize(state).ToArray();
            Assert.Equal((byte)'{', json[0]);
            output.WriteLine($"the same ring: {binary.Length} B binary, {json.Length} B JSON");
            await RingBlobClient(azurite, await RingBlobNameAsync(azurite, "legacy/metric:a")).UploadAsync(new BinaryData(json), overwrite: true);
        }

        await using var second = await ExemplarSystem.StartAsync(settings: settings);
        Assert.Equal(before, await second.Http.GetStringAsync(PersistenceData.Query("legacy")));
    }

    private static Dictionary<string, string?> Settings(AzuriteServer azurite) => new()
    {
        ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
        ["Storage:AzureBlob:ContainerName"] = Container,
    };

    private static BlobClient RingBlobClient(AzuriteServer azurite, string name) =>
        new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Container).GetBlobClient(name);

    /// <summary>The blob of a metric grain's ring: the provider names it after the grain type and key.</summary>
    private static async Task<string> RingBlobNameAsync(AzuriteServer azurite, string metric)
    {
        var names = new List<string>();
        await foreach (var item in new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Container).GetBlobsAsync())
        {
            names.Add(item.Name);
        }
        return names.Single(n => n.Contains(metric) || n.Contains(Uri.EscapeDataString(metric)));
    }

    private static async Task<byte[]> RingBlobAsync(AzuriteServer azurite, string metric) =>
        (await RingBlobClient(azurite, await RingBlobNameAsync(azurite, metric)).DownloadContentAsync()).Value.Content.ToArray();
}

/// <summary>Two metrics whose names need escaping, exemplars with 32-hex trace ids as OpenTelemetry makes them.</summary>
internal static class PersistenceData
{
    public static string TraceId(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)))[..32];

    public static OrleansExemplars.Prometheus.RemoteWrite.V1.WriteRequest Request(string job, int exemplars)
    {
        var a = Series(("__name__", $"{job}/metric:a"), ("job", job)).WithSample(1, 1000);
        for (var i = 0; i < exemplars; i++) a.WithExemplar(i * 0.001, 1_700_000_000_000 + i * 15, ("trace_id", TraceId(i)));
        var b = Series(("__name__", $"{job}_metric_b"), ("job", job)).WithSample(1, 1000).WithExemplar(3, 1_700_000_000_000, ("trace_id", TraceId(-1)));
        return WriteRequests.Request(a, b);
    }

    public static string Query(string job) => "api/v1/query_exemplars?query=" + Uri.EscapeDataString($"{{job=\"{job}\"}}");
}
