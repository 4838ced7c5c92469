using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// A silo's entry point for the exemplars of one HTTP request: one call carries every metric grain's batch, and the
/// silo fans them out to the metric grains itself. A 1 000-series request spreads its exemplars over ~80 metrics, and
/// ~80 calls from the API host through the gateway each way cost more than the exemplars themselves.
/// </summary>
public interface IExemplarIngestGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Appends each batch to its metric grain (<see cref="IMetricGrain.AppendAsync"/>), all in parallel, merged with
    /// other requests' batches for the same grain while that grain is busy; completes once every grain logged what it
    /// stored. What became of each exemplar is counted by the grains (<c>oe_exemplars_*_total</c>).
    /// </summary>
    Task AppendAsync(MetricExemplars[] batches);
}

/// <summary>The exemplars of one request for one metric grain (key <c>name</c> or <c>name#k</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record MetricExemplars([property: Id(0)] string GrainKey, [property: Id(1)] SeriesExemplars[] Series);

public static class ExemplarIngestGrainExtensions
{
    /// <summary>The stateless worker on the silo a call arrives at (the key is irrelevant to placement).</summary>
    public static IExemplarIngestGrain ExemplarIngest(this IGrainFactory grains) => grains.GetGrain<IExemplarIngestGrain>(0);
}
