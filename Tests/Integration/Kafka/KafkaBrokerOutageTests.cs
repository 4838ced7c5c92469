using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// A silo started while its Kafka bootstrap address refuses connections (a port with nothing listening) starts anyway,
/// and consumes every message once the broker answers there (a relay to the mock broker opens on that port).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBrokerOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_started_while_the_broker_is_unreachable_consumes_everything_once_it_answers()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-unreachable-at-start";
        const string group = "unreachable-at-start";
        var messages = Enumerable.Range(0, 40).ToList();
        foreach (var i in messages) await kafka.ProduceAsync(topic, i % 4, Snappy(Message(i)));

        var port = FreePort.Next();
        var settings = Settings(kafka, topic, group);
        settings["Kafka:BootstrapServers"] = $"127.0.0.1:{port}";
        await using var system = await ExemplarSystem.StartAsync(settings: settings);
        Assert.Empty(await QueryTraceIdsAsync(system.Http));

        await using var relay = TcpForwarder.Start(port, kafka.BootstrapServers);
        var answered = System.Diagnostics.Stopwatch.StartNew();
        var expected = TraceIds(messages).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        Assert.True(await EventuallyAsync(async () =>
        {
            found = await QueryTraceIdsAsync(system.Http);
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(120)), $"{found.Count} of {expected.Count} exemplars arrived after the broker came up");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));
        output.WriteLine($"every exemplar queryable {answered.Elapsed.TotalSeconds:0.0} s after the broker answered");
        await AssertCommittedToEndAsync(kafka, topic, group);
    }
}
