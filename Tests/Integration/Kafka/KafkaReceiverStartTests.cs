using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Streams;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Silo.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// A receiver whose broker refuses connections when it starts (a port with nothing listening), then answers (a relay
/// to the mock broker opens on that port): every failed start leaves no consumer — no librdkafka thread — behind,
/// and once the broker answers the partition is read from its start and committed.
/// </summary>
[Collection(ThreadCountingCollection.Name)]
public sealed class KafkaReceiverStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Failing_starts_leave_no_consumer_behind_and_the_partition_is_read_once_the_broker_answers()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-start";
        const string group = "start";
        // Message(i) labels its series with partition i % 4: multiples of 4 belong to partition 0.
        var indexes = Enumerable.Range(0, 8).Select(i => i * 4).ToList();
        foreach (var i in indexes) await kafka.ProduceAsync(topic, 0, Raw(Message(i)));

        var port = FreePort.Next();
        var options = new KafkaStreamOptions
        {
            BootstrapServers = $"127.0.0.1:{port}",
            Topics = [topic],
            ConsumerGroup = group,
            DeadLetterTopic = topic + "-dead-letter",
            CommitInterval = TimeSpan.FromMilliseconds(200),
        };
        // The topic's partitions were read while the broker was reachable (as at silo start); then it went away.
        using var directory = new KafkaTopicDirectory(
            new KafkaStreamOptions { BootstrapServers = kafka.BootstrapServers, Topics = [topic] }, NullLogger.Instance);
        await directory.RefreshAsync();
        using var deadLetters = new KafkaDeadLetterProducer(options);
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var recorder = new MeterRecorder(meters, KafkaReceiverMetrics.MeterName);
        var receiver = new KafkaQueueAdapterReceiver(new TopicPartition(topic, 0), options, directory, deadLetters,
            new KafkaReceiverMetrics(meters), new RemoteWriteKafkaDataAdapter(options, forwardShards: 0, shards: null),
            NullLogger.Instance);

        var baseline = ThreadCountingCollection.RdkThreads();
        int Failures() => (int)recorder.Sum("oe_kafka_receiver_errors", ("stage", "start"));
        // Orleans' InitQueueTimeout (the lookup of the committed offset gives up after it).
        await receiver.Initialize(TimeSpan.FromSeconds(1));
        // As Orleans' pulling agent does: ask for messages every 10 ms, whatever the previous call did. A failed start
        // is no exception for the agent (it would log it and stop pumping until its next tick).
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var calls = 0;
        while (Failures() < 4 && DateTime.UtcNow < deadline)
        {
            Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
            calls++;
            await Task.Delay(10);
        }
        Assert.True(Failures() >= 4, $"only {Failures()} failed starts in two minutes");
        // Starts are retried after a backoff, not on every call.
        Assert.True(Failures() < calls, $"{Failures()} starts for {calls} calls");
        // Between attempts no consumer of this receiver exists: the count is what it was before the first. (A consumer
        // that is merely dropped is destroyed only when the garbage collector finalizes its handle, which may take
        // minutes or never: the wait is short, and for threads to exit, not for a collection.)
        var settled = await EventuallyAsync(() => Task.FromResult(ThreadCountingCollection.RdkThreads() <= baseline),
            TimeSpan.FromSeconds(3));
        Assert.True(settled, $"{ThreadCountingCollection.RdkThreads()} librdkafka threads after {Failures()} failed starts, " +
                             $"{baseline} before: consumers were left behind");

        output.WriteLine($"{Failures()} failed starts over {calls} calls; librdkafka threads: {baseline} before, " +
                         $"{ThreadCountingCollection.RdkThreads()} after");

        // The broker answers on the address the receiver was given.
        await using var relay = TcpForwarder.Start(port, kafka.BootstrapServers);
        var answered = System.Diagnostics.Stopwatch.StartNew();
        var traceIds = new List<string>();
        var containers = new List<IBatchContainer>();
        var expected = TraceIds(indexes).Order(StringComparer.Ordinal).ToList();
        deadline = DateTime.UtcNow.AddSeconds(120);
        while (traceIds.Count < expected.Count && DateTime.UtcNow < deadline)
        {
            foreach (var container in await receiver.GetQueueMessagesAsync(100, CancellationToken.None))
            {
                containers.Add(container);
                traceIds.AddRange(container.GetEvents<SeriesExemplars[]>().SelectMany(e => e.Item1)
                    .SelectMany(s => s.Exemplars).Select(e => e.Labels.Get("trace_id")));
            }
            await Task.Delay(10);
        }
        Assert.Equal(expected, traceIds.Order(StringComparer.Ordinal));
        output.WriteLine($"every message read {answered.Elapsed.TotalSeconds:0.0} s after the broker answered");

        await receiver.MessagesDeliveredAsync(containers, CancellationToken.None);
        await receiver.Shutdown(TimeSpan.FromSeconds(10));
        Assert.Equal(indexes.Count, kafka.CommittedOffsets(topic, group)[0]);
        var closed = await EventuallyAsync(() => Task.FromResult(ThreadCountingCollection.RdkThreads() <= baseline),
            TimeSpan.FromSeconds(30));
        Assert.True(closed, $"{ThreadCountingCollection.RdkThreads()} librdkafka threads after shutdown, {baseline} before");
    }
}
