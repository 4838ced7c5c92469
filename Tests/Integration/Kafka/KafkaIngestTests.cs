using System.Diagnostics.Metrics;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Kafka.KafkaTestData;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>Kafka (librdkafka's mock broker) → 2-silo cluster → exemplars queryable through the real API host.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaIngestTests
{
    [Fact]
    public async Task Messages_over_four_partitions_are_all_queryable_and_offsets_committed_to_the_end()
    {
        using var kafka = new KafkaMockCluster();
        const string topic = "rw-drain";
        const int messages = 200;
        // Produced before the cluster starts, so each partition's first polls see many messages at once.
        for (var i = 0; i < messages; i++)
        {
            var request = Message(i);
            await kafka.ProduceAsync(topic, i % 4, i % 2 == 0 ? Raw(request) : Snappy(request));
        }

        using var counters = new CounterTotals("oe_kafka_polls", "oe_kafka_stream_batches", "oe_metric_grain_stream_batches");
        await using var system = await ExemplarSystem.StartAsync(silos: 2, settings: Settings(kafka, topic, "drain"));
        counters.Scope(system);

        var expected = TraceIds(Enumerable.Range(0, messages)).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        Assert.True(await EventuallyAsync(async () =>
        {
            found = await QueryTraceIdsAsync(system.Http);
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(60)), $"{found.Count} of {expected.Count} exemplars arrived");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));

        var end = kafka.EndOffsets(topic);
        Assert.Equal(messages, end.Values.Sum());
        await AssertCommittedToEndAsync(kafka, topic, "drain");

        // The receivers' gauges agree: nothing left to read, committed where the partitions end.
        var committed = Gauges.Read("oe_kafka_committed_offset", topic);
        Assert.Equal(end.OrderBy(p => p.Key).Select(p => p.Value), committed.OrderBy(p => p.Key).Select(p => p.Value));
        Assert.All(Gauges.Read("oe_kafka_partition_lag", topic).Values, lag => Assert.Equal(0, lag));

        // One delivery per metric per poll, never one per message or per series. (A partition that moved to the second
        // silo as it joined is re-read from its committed offset, so grains may get fewer batches than were built.)
        var polls = counters["oe_kafka_polls"];
        var batches = counters["oe_kafka_stream_batches"];
        var grainBatches = counters["oe_metric_grain_stream_batches"];
        Assert.True(batches <= polls * Metrics, $"{batches} stream batches for {polls} polls of {Metrics} metrics");
        Assert.InRange(grainBatches, 1, batches);
        Assert.True(grainBatches < messages, $"{grainBatches} grain deliveries for {messages} messages: polls were not grouped");
    }

    [Fact]
    public async Task A_silo_leaving_mid_stream_hands_its_partitions_and_grains_over_without_losing_or_duplicating()
    {
        using var kafka = new KafkaMockCluster();
        await using var azurite = await AzuriteServer.StartAsync();
        const string topic = "rw-failover";
        var settings = Settings(kafka, topic, "failover");
        // Rings are written behind to Azure Blob, so the grains of the leaving silo come back elsewhere with them.
        settings["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString;
        await using var system = await ExemplarSystem.StartAsync(silos: 2, settings: settings);

        for (var i = 0; i < 100; i++) await kafka.ProduceAsync(topic, i % 4, Snappy(Message(i)));
        Assert.True(await EventuallyAsync(async () => (await QueryTraceIdsAsync(system.Http)).Count >= 1000,
            TimeSpan.FromSeconds(60)), "the first half did not arrive");

        await system.StopSiloAsync(1);
        for (var i = 100; i < 200; i++) await kafka.ProduceAsync(topic, i % 4, Raw(Message(i)));

        var expected = TraceIds(Enumerable.Range(0, 200)).Order(StringComparer.Ordinal).ToList();
        List<string> found = [];
        Assert.True(await EventuallyAsync(async () =>
        {
            found = await QueryTraceIdsAsync(system.Http);
            return found.Count >= expected.Count;
        }, TimeSpan.FromSeconds(60)), $"{expected.Except(found).Count()} of {expected.Count} exemplars missing after the silo left");
        Assert.Equal(expected, found.Order(StringComparer.Ordinal));

        await AssertCommittedToEndAsync(kafka, topic, "failover");
    }
}

/// <summary>Reads an observable gauge of the in-process silos now, for one topic: partition → value.</summary>
public static class Gauges
{
    public static Dictionary<int, long> Read(string name, string topic)
    {
        var values = new Dictionary<int, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == name) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            int? partition = null;
            var ofTopic = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "partition") partition = (int)tag.Value!;
                if (tag.Key == "topic") ofTopic = (string?)tag.Value == topic;
            }
            if (ofTopic && partition is { } p) values[p] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}

/// <summary>Sums named counters from every meter in this process (the in-process silos') while alive.</summary>
/// <summary>
/// Totals of counters the product records, counted from before a system starts. Tests run in parallel in one process,
/// so once <see cref="Scope"/> names the system under test only its meters count (a <c>Meter</c>'s scope is the
/// <c>IMeterFactory</c> of the service provider that made it): another test's duplicates are not this one's.
/// </summary>
public sealed class CounterTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _names;
    private readonly Dictionary<(object? Scope, string Name), long> _totals = [];
    private readonly HashSet<object> _scopes = [];

    public CounterTotals(params string[] names)
    {
        _names = [.. names];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_names.Contains(instrument.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_totals) _totals[(instrument.Meter.Scope, instrument.Name)] = _totals.GetValueOrDefault((instrument.Meter.Scope, instrument.Name)) + value;
        });
        _listener.Start();
    }

    /// <summary>From now on the totals are those of <paramref name="system"/>'s silos and API host alone.</summary>
    public CounterTotals Scope(ExemplarSystem system)
    {
        lock (_totals)
        {
            foreach (var scope in system.MeterScopes()) _scopes.Add(scope);
        }
        return this;
    }

    public long this[string name]
    {
        get
        {
            if (!_names.Contains(name)) throw new KeyNotFoundException(name);
            lock (_totals)
            {
                return _totals.Where(t => t.Key.Name == name && (_scopes.Count == 0 || (t.Key.Scope is { } s && _scopes.Contains(s))))
                    .Sum(t => t.Value);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
