namespace OrleansExemplars.GrainInterfaces.Model;

/// <summary>A float sample as Prometheus' remote write carries it.</summary>
[GenerateSerializer, Immutable]
public readonly record struct Sample([property: Id(0)] double Value, [property: Id(1)] long TimestampMs);

/// <summary>
/// One series' samples (and exemplars) on their way to the TSDBs: the unit the forwarders batch into remote-write
/// requests. Samples are in the order they arrived, which is the order they are sent.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ForwardSeries(
    [property: Id(0)] LabelSet Labels,
    [property: Id(1)] Sample[] Samples,
    [property: Id(2)] Exemplar[] Exemplars);
