using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>Kafka ingest routes a sharded metric's series to the same shard grains as HTTP ingest does.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaShardedIngestTests
{
    [Fact]
    public async Task A_pattern_sharded_metric_read_from_Kafka_lands_on_its_shards_and_answers_completely()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-sharded";
        const int messages = 60;
        for (var i = 0; i < messages; i++) await kafka.ProduceAsync(topic, i % 4, i % 2 == 0 ? Raw(Message(i)) : Snappy(Message(i)));

        var settings = Settings(kafka, topic, "sharded");
        settings["Sharding:Metrics:0:Match"] = "kafka_metric_[0-2]";
        settings["Sharding:Metrics:0:Shards"] = "4";
        await using var system = await ExemplarSystem.StartAsync(silos: 2, settings: settings);

        var expected = TraceIds(Enumerable.Range(0, messages)).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        Assert.True(await EventuallyAsync(async () =>
        {
            found = await QueryTraceIdsAsync(system.Http);
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(60)), $"{found.Count} of {expected.Count} exemplars arrived");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));
        await AssertCommittedToEndAsync(kafka, topic, "sharded");

        // kafka_metric_0 has 8 series (2 per partition label): each is in exactly the shard the router names, in order.
        const string sharded = "kafka_metric_0";
        var layout = await system.Client.Shard(sharded).GetLayoutAsync(sharded);
        Assert.NotNull(layout);
        Assert.False(layout.Unsharded);
        var seen = 0;
        foreach (var key in layout.GrainKeys())
        {
            var shard = MetricShardRouter.ParseKey(key).Shard;
            foreach (var series in await system.Client.GetGrain<IMetricGrain>(key).SelectAsync(long.MinValue, long.MaxValue, [[]]))
            {
                Assert.Equal(shard, MetricShardRouter.ShardOf(series.Series, 4));
                Assert.Equal(messages / 4, series.Exemplars.Length);
                seen++;
            }
        }
        Assert.Equal(4 * SeriesPerMetric, seen);
        Assert.True(layout.ShardSpan > 1, $"all of {sharded}'s series went to {layout.ShardSpan} shard(s)");
        Assert.Equal(new MetricLayout("kafka_metric_4", true, 0, 0), await system.Client.Shard("kafka_metric_4").GetLayoutAsync("kafka_metric_4"));
    }
}
