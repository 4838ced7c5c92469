using System.Diagnostics.Metrics;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.ApiHost.Ingest;

/// <summary>
/// Counters of what <c>/api/v1/write</c> received and what became of it, and the read side's latency histograms:
/// exemplar queries by outcome, proxied Prometheus API requests by status class.
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "OrleansExemplars.ApiHost";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _samples;
    private readonly Counter<long> _exemplars;
    private readonly Counter<long> _histograms;
    private readonly Counter<long> _invalidSeries;
    private readonly Histogram<double> _queryDuration;
    private readonly Histogram<double> _proxyDuration;
    private readonly Counter<long> _grainsAsked;

    /// <summary>Prometheus' default buckets, extended to the 2-minute query timeout.</summary>
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("oe_remote_write_requests", description: "Remote-write requests by outcome.");
        _samples = meter.CreateCounter<long>("oe_remote_write_samples", description: "Samples received by remote write.");
        _exemplars = meter.CreateCounter<long>("oe_remote_write_exemplars", description: "Exemplars received by remote write.");
        _histograms = meter.CreateCounter<long>("oe_remote_write_histograms", description: "Native histogram samples received.");
        _invalidSeries = meter.CreateCounter<long>("oe_remote_write_invalid_series", description: "Series refused by validation.");
        _grainsAsked = meter.CreateCounter<long>("oe_query_exemplars_grains_asked",
            description: "Metric grains exemplar queries fanned out to (the catalog's label index keeps it small for queries without a metric name).");
        _grainsAsked.Add(0);
        _queryDuration = meter.CreateHistogram<double>("oe_query_exemplars_duration", unit: "s",
            description: "Exemplar queries (query_exemplars and the JSON POST /), by outcome: success, no_content, " +
                         "bad_data, unavailable, timeout, canceled.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _proxyDuration = meter.CreateHistogram<double>("oe_query_proxy_duration", unit: "s",
            description: "Prometheus API requests proxied to Query:UpstreamUrl, until the answer was streamed back, by " +
                         "status class (2xx, 4xx, 5xx…).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public void RecordGrainsAsked(int grains) => _grainsAsked.Add(grains);

    public void RecordRequest(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordQuery(string outcome, TimeSpan duration) =>
        _queryDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordProxied(int statusCode, TimeSpan duration) =>
        _proxyDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("status_class", StatusClass(statusCode)));

    private static string StatusClass(int statusCode) => statusCode switch
    {
        >= 100 and < 200 => "1xx",
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        _ => "5xx",
    };

    public void RecordWrite(DecodedWrite write)
    {
        _samples.Add(write.SampleCount);
        _exemplars.Add(write.ExemplarCount);
        _histograms.Add(write.HistogramCount);
        if (write.Invalid.Count > 0) _invalidSeries.Add(write.Invalid.Count);
    }
}
