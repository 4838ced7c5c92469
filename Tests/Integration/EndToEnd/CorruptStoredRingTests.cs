using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// A stored ring damaged on disk or in its blob while the cluster was down (bytes flipped, the file cut short,
/// garbage, a broken header) does not make its metric grain fail every activation: the next cluster moves the damaged
/// bytes aside, counts and logs it, starts the grain empty, and the metric answers queries and takes HTTP and Kafka
/// ingest as before. A third start finds the new ring stored and nothing more to quarantine.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class CorruptStoredRingTests(ITestOutputHelper output)
{
    private const string Metric = "corrupt_ring_metric";
    private const string Topic = "rw-corrupt";
    private const string Container = "corrupt-test";

    public enum Damage
    {
        /// <summary>Three bytes inverted in the middle of the stored record: inside the ring's snapshot.</summary>
        FlippedBytes,
        /// <summary>The first bytes inverted: the file's magic, or Orleans' envelope of the blob.</summary>
        BrokenHeader,
        /// <summary>Only the first half is left, as a torn copy would leave it.</summary>
        Truncated,
        /// <summary>The same number of random bytes.</summary>
        Garbage,
    }

    [Theory]
    [InlineData(Damage.FlippedBytes)]
    [InlineData(Damage.BrokenHeader)]
    [InlineData(Damage.Truncated)]
    [InlineData(Damage.Garbage)]
    public async Task A_damaged_ring_file_is_quarantined_and_its_metric_keeps_working(Damage damage)
    {
        var directory = Path.Combine(Path.GetTempPath(), "oe-corrupt-" + Guid.NewGuid().ToString("N"));
        try
        {
            await RunAsync(new Dictionary<string, string?> { ["Storage:File:Directory"] = directory }, damage,
                async bytes =>
                {
                    var path = RingFile(directory);
                    var original = await File.ReadAllBytesAsync(path);
                    var damaged = Apply(damage, original);
                    await File.WriteAllBytesAsync(path, damaged);
                    return damaged;
                },
                async () =>
                {
                    var quarantine = Path.Combine(directory, FileGrainStorage.QuarantineDirectoryName);
                    var files = Directory.Exists(quarantine) ? Directory.GetFiles(quarantine, "*", SearchOption.AllDirectories) : [];
                    output.WriteLine("quarantined: " + string.Join(", ", files));
                    return await Task.WhenAll(files.Select(f => File.ReadAllBytesAsync(f)));
                });
            // The live ring file is back, and the quarantine holds the one damaged copy.
            Assert.True(File.Exists(RingFile(directory)));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(Damage.FlippedBytes)]
    [InlineData(Damage.BrokenHeader)]
    [InlineData(Damage.Truncated)]
    [InlineData(Damage.Garbage)]
    public async Task A_damaged_ring_blob_is_quarantined_and_its_metric_keeps_working(Damage damage)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Container);
        await RunAsync(new Dictionary<string, string?>
            {
                ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
                ["Storage:AzureBlob:ContainerName"] = Container,
            }, damage,
            async _ =>
            {
                var blob = container.GetBlobClient(await RingBlobNameAsync(container));
                var original = (await blob.DownloadContentAsync()).Value.Content.ToArray();
                var damaged = Apply(damage, original);
                await blob.UploadAsync(new BinaryData(damaged), overwrite: true);
                return damaged;
            },
            async () =>
            {
                var copies = new List<byte[]>();
                await foreach (var item in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "quarantine/", CancellationToken.None))
                {
                    output.WriteLine("quarantined: " + item.Name);
                    copies.Add((await container.GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToArray());
                }
                return copies.ToArray();
            });
        Assert.NotNull(await RingBlobNameAsync(container));
    }

    /// <param name="corrupt">Damages the stored ring of <see cref="Metric"/> and returns the bytes it left.</param>
    /// <param name="quarantined">The contents of every quarantined copy.</param>
    private async Task RunAsync(Dictionary<string, string?> storage, Damage damage, Func<byte[]?, Task<byte[]>> corrupt,
        Func<Task<byte[][]>> quarantined)
    {
        using var kafka = new KafkaMockCluster();
        var settings = new Dictionary<string, string?>(storage);
        foreach (var (key, value) in KafkaTestData.Settings(kafka, Topic, "corrupt-" + damage)) settings[key] = value;
        settings["Exemplars:PersistInterval"] = "00:00:00.500";

        await using (var first = await ExemplarSystem.StartAsync(settings: settings))
        {
            var request = Series(("__name__", Metric), ("job", "c")).WithSample(1, 1000);
            for (var i = 0; i < 100; i++) request.WithExemplar(i, 1_000 + i, ("trace_id", $"before-{i:000}-{new string('a', 24)}"));
            await WriteAsync(first.Http, Request(request));
            Assert.Contains("before-099", await QueryAsync(first.Http));
        } // graceful stop: the ring is written to storage and the WAL is emptied

        var damaged = await corrupt(null);
        output.WriteLine($"{damage}: {damaged.Length} bytes left in the stored ring");

        await using (var second = await ExemplarSystem.StartAsync(settings: settings))
        {
            using var counters = new MeterRecorder(second.SiloServices().GetRequiredService<IMeterFactory>(), GrainStorageMetrics.MeterName);

            // The grain activates (empty: the damaged ring's exemplars are in quarantine, not in the answer).
            var answer = await QueryAsync(second.Http);
            Assert.DoesNotContain("before-", answer);

            // HTTP ingest for the metric is acknowledged and queryable.
            await WriteAsync(second.Http, Request(Series(("__name__", Metric), ("job", "c")).WithSample(2, 5000)
                .WithExemplar(2, 5_000, ("trace_id", "after-http"))));
            Assert.Contains("after-http", await QueryAsync(second.Http));

            // Kafka ingest for the metric is delivered and its offset committed: the partition keeps moving.
            await kafka.ProduceAsync(Topic, 1, KafkaTestData.Snappy(Request(Series(("__name__", Metric), ("job", "c"))
                .WithSample(3, 6000).WithExemplar(3, 6_000, ("trace_id", "after-kafka")))));
            Assert.True(await KafkaTestData.EventuallyAsync(async () => (await QueryAsync(second.Http)).Contains("after-kafka"),
                TimeSpan.FromSeconds(60)), "the Kafka message for the metric did not arrive");
            var end = kafka.EndOffsets(Topic)[1];
            Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(kafka.CommittedOffsets(Topic, "corrupt-" + damage)[1] == end),
                TimeSpan.FromSeconds(30)), $"partition 1 was not committed to its end offset {end}");

            Assert.Equal(1, counters.Sum(GrainStorageMetrics.QuarantinedInstrument));
            var copies = await quarantined();
            var copy = Assert.Single(copies);
            Assert.Equal(damaged, copy);
        }

        // The ring written after the quarantine is a good one: a third cluster reads it without quarantining anything.
        await using (var third = await ExemplarSystem.StartAsync(settings: settings))
        {
            using var counters = new MeterRecorder(third.SiloServices().GetRequiredService<IMeterFactory>(), GrainStorageMetrics.MeterName);
            var answer = await QueryAsync(third.Http);
            Assert.Contains("after-http", answer);
            Assert.Contains("after-kafka", answer);
            Assert.Equal(0, counters.Sum(GrainStorageMetrics.QuarantinedInstrument));
            Assert.Single(await quarantined());
        }
    }

    private static byte[] Apply(Damage damage, byte[] original)
    {
        var bytes = original.ToArray();
        switch (damage)
        {
            case Damage.FlippedBytes:
                foreach (var at in new[] { bytes.Length / 3, bytes.Length / 2, 2 * bytes.Length / 3 }) bytes[at] ^= 0xFF;
                return bytes;
            case Damage.BrokenHeader:
                for (var i = 0; i < 3; i++) bytes[i] ^= 0xFF;
                return bytes;
            case Damage.Truncated:
                return bytes[..(bytes.Length / 2)];
            default:
                new Random(13).NextBytes(bytes);
                return bytes;
        }
    }

    private static async Task WriteAsync(HttpClient http, Prometheus.RemoteWrite.V1.WriteRequest request)
    {
        using var response = await http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.True(response.StatusCode == HttpStatusCode.NoContent,
            $"write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The metric's query_exemplars answer, which must be a 200 with Prometheus' success body.</summary>
    private static async Task<string> QueryAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/query_exemplars?query=" + Metric);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"query answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        return body;
    }

    private static string RingFile(string directory) =>
        Directory.GetFiles(directory, "*.state", SearchOption.AllDirectories)
            .Where(f => !f.Contains(FileGrainStorage.QuarantineDirectoryName, StringComparison.Ordinal))
            .Single(f => Path.GetFileName(f) == GrainFileNames.Encode(Metric) + ".state");

    private static async Task<string> RingBlobNameAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync()) names.Add(item.Name);
        return names.Single(n => n.Contains(Metric, StringComparison.Ordinal) && !n.StartsWith("quarantine/", StringComparison.Ordinal));
    }
}
