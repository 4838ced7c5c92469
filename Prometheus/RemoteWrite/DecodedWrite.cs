using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>A series the receiver refused, with the reason a sender's operator needs to fix it.</summary>
public readonly record struct InvalidSeries(string Labels, string Reason)
{
    public override string ToString() => $"{Reason} for series {Labels}";
}

/// <summary>
/// A validated remote-write request regrouped for the grains: exemplar-bearing series by metric name (one
/// <c>MetricGrain</c> call each), every valid series with its samples and native histograms for the forwarders, plus
/// the counts the receiver reports (<see cref="HistogramCount"/>: native-histogram samples).
/// </summary>
public sealed class DecodedWrite
{
    public Dictionary<string, List<SeriesExemplars>> ExemplarsByMetric { get; } = new(StringComparer.Ordinal);

    /// <summary>Every valid series with samples, native histograms or exemplars, in request order: what goes on to the TSDBs.</summary>
    public List<ForwardSeries> Forward { get; } = [];

    /// <summary>
    /// Set instead of <see cref="Forward"/> when the request was read to be forwarded whole (Kafka) and could be: every
    /// series valid with sorted labels, no native histograms, something to send.
    /// </summary>
    public WriteRequestBlock? Block { get; internal set; }

    public List<InvalidSeries> Invalid { get; } = [];
    public int SeriesCount { get; internal set; }
    public long SampleCount { get; internal set; }
    public long ExemplarCount { get; internal set; }
    public long HistogramCount { get; internal set; }
}
