using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Sharding;

/// <summary>
/// A fan-out that cannot reach every grain answers with an error, never with what the other grains returned. The
/// failures are real: a shard grain's stored ring cannot be read (its activation fails reading it), or replaced
/// by a FIFO nobody writes (its activation hangs in the storage read, as on a stalled disk or network share).
/// </summary>
public sealed class QueryFanOutFailureTests
{
    private const string Metric = "fragile_requests_total";

    [Fact]
    public async Task A_shard_whose_activation_fails_makes_the_answer_a_503_unavailable()
    {
        var storage = Directory.CreateTempSubdirectory("oe-fanout-").FullName;
        try
        {
            await using var system = await StartAsync(storage, queryTimeout: "00:00:30");
            var stateFile = await StoreAndDeactivateShardAsync(system, storage, shard: 2);
            // A damaged file would be quarantined and the grain start empty (CorruptStoredRingTests); a state that cannot
            // be read at all (here a directory where the file should be: EISDIR, as an unreadable disk or share) fails
            // the activation.
            File.Delete(stateFile);
            Directory.CreateDirectory(stateFile);

            using var response = await system.Http.GetAsync("api/v1/query_exemplars?query=" + Metric);
            await AssertErrorAsync(response, "unavailable", $"{Metric}#2");
            // Only the broken grain's metric fails; the others still answer.
            using var other = await system.Http.GetAsync("api/v1/query_exemplars?query=healthy_metric");
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            // A name-less query reaching the broken metric through the catalog fails as well.
            using var all = await system.Http.GetAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"fanout\"}"));
            await AssertErrorAsync(all, "unavailable", $"{Metric}#2");
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task A_shard_that_does_not_answer_in_time_makes_the_answer_a_503_timeout()
    {
        var storage = Directory.CreateTempSubdirectory("oe-fanout-").FullName;
        try
        {
            await using var system = await StartAsync(storage, queryTimeout: "00:00:01.500");
            var stateFile = await StoreAndDeactivateShardAsync(system, storage, shard: 5);
            File.Delete(stateFile);
            using (var mkfifo = Process.Start("mkfifo", stateFile)) await mkfifo.WaitForExitAsync();
            try
            {
                var clock = Stopwatch.StartNew();
                using var response = await system.Http.GetAsync("api/v1/query_exemplars?query=" + Metric);
                await AssertErrorAsync(response, "timeout", "Api:QueryTimeout");
                Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(20));
            }
            finally
            {
                // Lets the stuck read end (with no bytes: its activation then fails), so the silo can stop.
                await Task.Run(() => File.WriteAllBytes(stateFile, [])).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    private static Task<ExemplarSystem> StartAsync(string storage, string queryTimeout) =>
        ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Storage:File:Directory"] = storage,
            ["Sharding:Metrics:0:Match"] = Metric,
            ["Sharding:Metrics:0:Shards"] = "8",
            ["Api:QueryTimeout"] = queryTimeout,
        });

    /// <summary>Writes 40 series over the 8 shards, deactivates shard <paramref name="shard"/> (which writes its ring) and returns its file.</summary>
    private static async Task<string> StoreAndDeactivateShardAsync(ExemplarSystem system, string storage, int shard)
    {
        var request = Request([.. Enumerable.Range(0, 40).Select(i =>
            Series(("__name__", Metric), ("job", "fanout"), ("instance", $"i{i}")).WithSample(1, 1000 + i)
                .WithExemplar(1, 1000 + i, ("trace_id", $"t{i}"))),
            Series(("__name__", "healthy_metric"), ("job", "other")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "h"))]);
        await ShardedQueryTests.WriteAsync(system, request);
        using (var before = await system.Http.GetAsync("api/v1/query_exemplars?query=" + Metric))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        var grain = system.Client.GetGrain<IMetricGrain>($"{Metric}#{shard}");
        Assert.NotEmpty(await grain.SelectAsync(long.MinValue, long.MaxValue, [[]]));
        await system.DeactivateAsync(grain);
        var name = GrainFileNames.Encode($"{Metric}#{shard}") + ".state";
        return Assert.Single(Directory.GetFiles(storage, name, SearchOption.AllDirectories));
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, string errorType, string mentions)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(errorType, json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains(mentions, json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.TryGetProperty("data", out _), "an error answer must not carry partial data");
    }
}
