using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Everything one poll of one partition carries for one stream, from all the poll's messages, so the grain gets a
/// single delivery per poll: a metric's exemplar-bearing series (<c>SeriesExemplars[]</c>) or a forwarder shard's
/// series (<see cref="ForwardBatch"/>). <see cref="Poll"/> ties it to the offsets it covers.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class KafkaBatchContainer(StreamId streamId, object payload, EventSequenceTokenV2 token)
    : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    /// <summary>The single event of the container.</summary>
    [Id(1)] public object Payload { get; } = payload;

    [Id(2)] private readonly EventSequenceTokenV2 _token = token;

    public StreamSequenceToken SequenceToken => _token;

    /// <summary>Local to the receiving silo: the poll whose commit waits for this container.</summary>
    [NonSerialized] internal PartitionOffsetTracker.Poll? Poll;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Payload is T events ? [Tuple.Create(events, SequenceToken)] : [];

    public bool ImportRequestContext() => false;

    public override string ToString() => $"KafkaBatchContainer({StreamId}, {_token})";
}
