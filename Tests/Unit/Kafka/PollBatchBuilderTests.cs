using Orleans.Providers.Streams.Common;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Silo.Kafka;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Kafka;

public sealed class PollBatchBuilderTests
{
    [Fact]
    public void A_poll_becomes_one_container_per_metric_with_every_message_series()
    {
        var builder = new PollBatchBuilder();
        for (var i = 0; i < 10; i++) builder.Add(WriteRequestReader.Read(KafkaTestData.Message(i)));

        var containers = builder.Build(lastOffset: 41);

        Assert.Equal(KafkaTestData.Metrics, containers.Count);
        Assert.All(containers, c =>
        {
            Assert.Equal(StreamNamespaces.MetricExemplars, c.StreamId.GetNamespace());
            var series = Assert.IsType<Prometheus.Model.SeriesExemplars[]>(c.Payload);
            Assert.Equal(10 * KafkaTestData.SeriesPerMetric, series.Length);
            Assert.Equal(c.StreamId.GetKeyAsString(), series[0].Series.MetricNameOrEmpty);
        });
        var tokens = containers.Select(c => (EventSequenceTokenV2)c.SequenceToken).ToList();
        Assert.All(tokens, t => Assert.Equal(41, t.SequenceNumber));
        Assert.Equal(tokens.Count, tokens.Select(t => t.EventIndex).Distinct().Count());
    }

    [Fact]
    public void A_poll_without_exemplars_has_no_containers()
    {
        var builder = new PollBatchBuilder();
        builder.Add(WriteRequestReader.Read(Request(Series(("__name__", "samples_only")).WithSample(1, 1))));
        Assert.Empty(builder.Build(0));
    }
}
