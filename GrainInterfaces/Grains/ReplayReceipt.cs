namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// What a metric grain did with replayed exemplars, and which activation of it did it: a replay spread over several
/// calls knows everything it sent is in one ring (and so in that ring's next write) only while the activation stays
/// the same.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct ReplayReceipt(
    [property: Id(0)] int Added,
    [property: Id(1)] Guid Activation);
