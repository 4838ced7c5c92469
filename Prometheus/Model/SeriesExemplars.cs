namespace OrleansExemplars.Prometheus.Model;

/// <summary>One series and its exemplars, oldest first: the unit of both appends and query results.</summary>
/// <param name="NativeHistogram">
/// The exemplars came with native-histogram samples of the series (its buckets' exemplars): the ring then takes several
/// with the same timestamp, as Prometheus 3 does (see <c>ExemplarRing.Append</c>). Only appends read it.
/// </param>
[GenerateSerializer, Immutable]
public sealed record SeriesExemplars(
    [property: Id(0)] LabelSet Series,
    [property: Id(1)] Exemplar[] Exemplars,
    [property: Id(2)] bool NativeHistogram = false);
