using System.Diagnostics.Metrics;

namespace OrleansExemplars.ApiHost.Query;

/// <summary>
/// The read side's counters and latency histograms: exemplar queries by outcome and fan-out, proxied Prometheus API
/// requests by status class. (What <c>/api/v1/write</c> received: <c>WriteApiMetrics</c>, shared with the silo.)
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "OrleansExemplars.ApiHost";

    private readonly Histogram<double> _queryDuration;
    private readonly Histogram<double> _proxyDuration;
    private readonly Counter<long> _grainsAsked;

    /// <summary>Prometheus' default buckets, extended to the 2-minute query timeout.</summary>
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
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
}
