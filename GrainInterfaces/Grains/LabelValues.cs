namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// What label names, and which of their values, the series of one metric grain's ring carry: the catalog's index for
/// queries without a metric name. A name whose values passed the cap maps to null (any value may be there).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LabelValues([property: Id(0)] Dictionary<string, string[]?> Values);
