using System.Net;
using System.Text.Json;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Sharding;

/// <summary>The WAL and grain storage know shard grains by their keys (<c>name#k</c>) like any other metric grain.</summary>
public sealed class ShardedDurabilityTests
{
    private const string Metric = "wal_hot_total";

    [Fact]
    public async Task A_log_left_by_a_crashed_silo_is_replayed_into_the_shards_and_survives_a_restart()
    {
        var root = Directory.CreateTempSubdirectory("oe-shard-wal-").FullName;
        var storage = Directory.CreateTempSubdirectory("oe-shard-grains-").FullName;
        try
        {
            // A silo that logged appends to its shard grains and died before they wrote their rings: its directory's
            // lock is free once this handle is gone, so the next silo replays it.
            var series = Enumerable.Range(0, 24).Select(i => new SeriesExemplars(
                LabelSet.From(("__name__", Metric), ("instance", $"i{i}")),
                [.. Enumerable.Range(0, 3).Select(e => new Exemplar(LabelSet.From(("trace_id", $"t{i}-{e}")), e, 1000L * (e + 1) + i, true))]))
                .ToList();
            using (var dir = WalDirectory.Create(root))
            await using (var wal = ExemplarWal.Open(new WalOptions { Directory = root }, dir.Path))
            {
                foreach (var group in series.GroupBy(s => MetricShardRouter.GrainKeyOf(Metric, s.Series, 4)))
                {
                    await wal.AppendAsync(WalExemplarRecord.Encode(group.Key, [.. group]));
                }
            }

            var settings = new Dictionary<string, string?>
            {
                ["Wal:Directory"] = root,
                ["Storage:File:Directory"] = storage,
                ["Sharding:Metrics:0:Match"] = Metric,
                ["Sharding:Metrics:0:Shards"] = "4",
            };
            string answer;
            await using (var first = await ExemplarSystem.StartAsync(settings: settings))
            {
                answer = "";
                Assert.True(await EventuallyAsync(async () => (answer = await AnswerAsync(first)).Split("trace_id").Length - 1 == 72),
                    $"replay incomplete: {answer}");
                using (var json = JsonDocument.Parse(answer)) Assert.Equal(24, json.RootElement.GetProperty("data").GetArrayLength());
                var layout = await first.Client.Shard(Metric).GetLayoutAsync(Metric);
                Assert.Equal(new MetricLayout(Metric, false, 4, 0), layout);
                for (var k = 0; k < 4; k++)
                {
                    var held = await first.Client.GetGrain<IMetricGrain>($"{Metric}#{k}").SelectAsync(long.MinValue, long.MaxValue, [[]]);
                    Assert.All(held, s => Assert.Equal(k, MetricShardRouter.ShardOf(s.Series, 4)));
                }
            }
            // Stopped gracefully: the shard grains wrote their rings, the catalog its layout.
            await using var second = await ExemplarSystem.StartAsync(settings: settings);
            Assert.Equal(answer, await AnswerAsync(second));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(storage, recursive: true);
        }
    }

    private static async Task<string> AnswerAsync(ExemplarSystem system)
    {
        using var response = await system.Http.GetAsync("api/v1/query_exemplars?query=" + Metric);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (await condition()) return true;
        }
        return await condition();
    }
}
