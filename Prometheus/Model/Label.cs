namespace OrleansExemplars.Prometheus.Model;

/// <summary>One label pair of a series or an exemplar.</summary>
[GenerateSerializer, Immutable]
public readonly record struct Label([property: Id(0)] string Name, [property: Id(1)] string Value);
