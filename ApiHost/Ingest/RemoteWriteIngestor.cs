using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.RemoteWrite;

namespace OrleansExemplars.ApiHost.Ingest;

/// <summary>Hands a decoded request to its metric grains: one call per metric name, all in parallel.</summary>
public sealed class RemoteWriteIngestor(IGrainFactory grains, ApiMetrics metrics)
{
    public async Task<AppendResult> IngestAsync(DecodedWrite write)
    {
        metrics.RecordWrite(write);
        if (write.ExemplarsByMetric.Count == 0) return default;
        var calls = new Task<AppendResult>[write.ExemplarsByMetric.Count];
        var i = 0;
        foreach (var (metricName, series) in write.ExemplarsByMetric)
        {
            calls[i++] = grains.GetGrain<IMetricGrain>(metricName).AppendAsync(series.ToArray());
        }
        var results = await Task.WhenAll(calls);
        var total = default(AppendResult);
        foreach (var r in results) total += r;
        return total;
    }
}
