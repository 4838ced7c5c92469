using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Everything one poll of one partition carries for one stream (one metric): the series of all the poll's messages,
/// so the grain gets a single delivery per poll. <see cref="Poll"/> ties it to the offsets it covers.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class KafkaBatchContainer(StreamId streamId, SeriesExemplars[] series, EventSequenceTokenV2 token)
    : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public SeriesExemplars[] Series { get; } = series;

    [Id(2)] private readonly EventSequenceTokenV2 _token = token;

    public StreamSequenceToken SequenceToken => _token;

    /// <summary>Local to the receiving silo: the poll whose commit waits for this container.</summary>
    [NonSerialized] internal PartitionOffsetTracker.Poll? Poll;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Series is T events ? [Tuple.Create(events, SequenceToken)] : [];

    public bool ImportRequestContext() => false;

    public override string ToString() => $"KafkaBatchContainer({StreamId}, {Series.Length} series, {_token})";
}
