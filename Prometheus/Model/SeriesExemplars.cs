namespace OrleansExemplars.Prometheus.Model;

/// <summary>One series and its exemplars, oldest first: the unit of both appends and query results.</summary>
[GenerateSerializer, Immutable]
public sealed record SeriesExemplars([property: Id(0)] LabelSet Series, [property: Id(1)] Exemplar[] Exemplars);
