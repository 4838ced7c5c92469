using System.Diagnostics.Metrics;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.WriteApi.Ingest;

/// <summary>
/// Counters of what <c>/api/v1/write</c> received and what became of it, in whichever host served it (the API host or
/// a silo); OTLP's own counters (<see cref="OtlpMetrics"/>) share the meter.
/// </summary>
public sealed class WriteApiMetrics
{
    public const string MeterName = "OrleansExemplars.WriteApi";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _samples;
    private readonly Counter<long> _exemplars;
    private readonly Counter<long> _histograms;
    private readonly Counter<long> _invalidSeries;

    public WriteApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("oe_remote_write_requests", description: "Remote-write requests by outcome.");
        _samples = meter.CreateCounter<long>("oe_remote_write_samples", description: "Samples received by remote write.");
        _exemplars = meter.CreateCounter<long>("oe_remote_write_exemplars", description: "Exemplars received by remote write.");
        _histograms = meter.CreateCounter<long>("oe_remote_write_histograms", description: "Native histogram samples received.");
        _invalidSeries = meter.CreateCounter<long>("oe_remote_write_invalid_series", description: "Series refused by validation.");
    }

    public void RecordRequest(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordWrite(DecodedWrite write)
    {
        _samples.Add(write.SampleCount);
        _exemplars.Add(write.ExemplarCount);
        _histograms.Add(write.HistogramCount);
        if (write.Invalid.Count > 0) _invalidSeries.Add(write.Invalid.Count);
    }
}
