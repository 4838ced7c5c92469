using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// Metric names key grains, and a grain's ring is stored under a name built from its key: a name too long for that
/// is refused when written (400 naming the series, the rest of the request kept) instead of failing for good when its
/// ring is persisted, which would also keep the WAL from ever truncating.
/// </summary>
public sealed class MetricNameLimitTests
{
    [Fact]
    public async Task A_2000_character_metric_name_is_400_naming_it_and_the_other_series_are_stored()
    {
        await using var system = await ExemplarSystem.StartAsync();
        var longName = "http_" + new string('x', 1995);
        var request = Request(
            Series(("__name__", "before_long"), ("job", "limit")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "before")),
            Series(("__name__", longName), ("job", "limit")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "long")),
            Series(("__name__", "after_long"), ("job", "limit")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "after")));

        using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(request));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        using (var json = JsonDocument.Parse(body))
        {
            Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("bad_data", json.RootElement.GetProperty("errorType").GetString());
            var error = json.RootElement.GetProperty("error").GetString()!;
            Assert.Contains("metric name is 2000 characters long", error);
            Assert.Contains("Ingest:MaxMetricNameLength", error);
            Assert.Contains("http_xxxx", error); // the series, its name abbreviated
            Assert.Contains("2 valid series of the request were written", error);
        }

        // Every metric with job="limit" (through the catalog): the two others, not the long one.
        var answer = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"limit\"}"));
        using var data = JsonDocument.Parse(answer);
        var names = data.RootElement.GetProperty("data").EnumerateArray()
            .Select(s => s.GetProperty("seriesLabels").GetProperty("__name__").GetString()).Order().ToList();
        Assert.Equal(["after_long", "before_long"], names);
    }

    [Fact]
    public async Task The_longest_accepted_name_on_its_last_shard_persists_in_Azure_Blob_under_a_1024_character_blob_name()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var name = new string('a', SeriesLimits.StorableMetricNameLength);
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            // Spread over the most shards there may be, so a shard number has its most digits.
            ["Sharding:Metrics:0:Match"] = name,
            ["Sharding:Metrics:0:Shards"] = ShardingOptions.MaxShards.ToString(),
        });
        var lastShard = ShardingOptions.MaxShards - 1;
        var series = Enumerable.Range(0, 1_000_000).Select(i => $"s{i}")
            .First(s => MetricShardRouter.ShardOf(LabelSet.From(("__name__", name), ("job", "limit"), ("series", s)),
                ShardingOptions.MaxShards) == lastShard);
        var request = Request(
            Series(("__name__", name), ("job", "limit"), ("series", series)).WithSample(1, 1000)
                .WithExemplar(1, 1000, ("trace_id", "longest")),
            Series(("__name__", name + "a"), ("job", "limit")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "too-long")));

        using (var response = await system.Http.PostAsync("api/v1/write", SnappyContent(request)))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
            Assert.Contains($"metric name is {SeriesLimits.StorableMetricNameLength + 1} characters long", body);
        }

        // Deactivation writes the ring to its blob; the next query activates the grain again from it.
        var key = MetricShardRouter.ShardKey(name, lastShard);
        await system.DeactivateAsync(system.Client.GetGrain<IMetricGrain>(key));
        var container = new BlobContainerClient(azurite.ConnectionString, "orleans-exemplars");
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync()) blobs.Add(blob.Name);
        var ring = Assert.Single(blobs, b => b.Contains(key, StringComparison.Ordinal));
        Assert.Equal(SeriesLimits.AzureBlobNameLength, ring.Length);

        var stored = await system.Client.GetGrain<IMetricGrain>(key).SelectAsync(0, long.MaxValue,
            [[new LabelMatcher(LabelMatchType.Equal, "job", "limit")]]);
        var exemplar = Assert.Single(Assert.Single(stored).Exemplars);
        Assert.Equal("longest", exemplar.Labels.Get("trace_id"));
    }

    [Fact]
    public async Task A_metric_name_limit_Azure_Blob_cannot_store_fails_start_up_naming_the_key()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
                ["Ingest:MaxMetricNameLength"] = (SeriesLimits.StorableMetricNameLength + 1).ToString(),
            });
        });
        Assert.Contains("Ingest:MaxMetricNameLength", e.ToString());
    }
}
