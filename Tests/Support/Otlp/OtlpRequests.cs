using Google.Protobuf;
using OrleansExemplars.Prometheus.Otlp.Proto;

namespace OrleansExemplars.Tests.Otlp;

/// <summary>Builds OTLP metrics requests as an OpenTelemetry SDK or Collector would send them.</summary>
public static class OtlpRequests
{
    /// <summary>2023-11-14T22:13:20Z in nanoseconds.</summary>
    public const ulong BaseNanos = 1_700_000_000_000_000_000;

    public const long BaseMs = (long)(BaseNanos / 1_000_000);

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static KeyValue Attr(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };

    public static KeyValue Attr(string key, bool value) => new() { Key = key, Value = new AnyValue { BoolValue = value } };

    public static ExportMetricsServiceRequest Request(IEnumerable<KeyValue> resource, params Metric[] metrics)
    {
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "test.scope", Version = "1.0" } };
        scope.Metrics.AddRange(metrics);
        var rm = new ResourceMetrics { Resource = new Resource() };
        rm.Resource.Attributes.AddRange(resource);
        rm.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(rm);
        return request;
    }

    public static ExportMetricsServiceRequest Request(params Metric[] metrics) =>
        Request([Attr("service.name", "checkout")], metrics);

    public static NumberDataPoint Number(double value, ulong timeNanos = BaseNanos, params KeyValue[] attributes)
    {
        var point = new NumberDataPoint { AsDouble = value, TimeUnixNano = timeNanos, StartTimeUnixNano = timeNanos - 60_000_000_000 };
        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Gauge(string name, string unit, params NumberDataPoint[] points)
    {
        var metric = new Metric { Name = name, Unit = unit, Gauge = new Gauge() };
        metric.Gauge.DataPoints.AddRange(points);
        return metric;
    }

    public static Metric Sum(string name, string unit, bool monotonic, AggregationTemporality temporality, params NumberDataPoint[] points)
    {
        var metric = new Metric
        {
            Name = name, Unit = unit,
            Sum = new Sum { IsMonotonic = monotonic, AggregationTemporality = temporality },
        };
        metric.Sum.DataPoints.AddRange(points);
        return metric;
    }

    public static HistogramDataPoint HistogramPoint(double[] bounds, ulong[] counts, double? sum, ulong timeNanos = BaseNanos,
        params KeyValue[] attributes)
    {
        var point = new HistogramDataPoint
        {
            TimeUnixNano = timeNanos, StartTimeUnixNano = timeNanos - 60_000_000_000,
            Count = counts.Aggregate(0UL, (a, b) => a + b),
        };
        if (sum is { } s) point.Sum = s;
        point.ExplicitBounds.AddRange(bounds);
        point.BucketCounts.AddRange(counts);
        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Histogram(string name, string unit, AggregationTemporality temporality, params HistogramDataPoint[] points)
    {
        var metric = new Metric { Name = name, Unit = unit, Histogram = new Histogram { AggregationTemporality = temporality } };
        metric.Histogram.DataPoints.AddRange(points);
        return metric;
    }

    public static Exemplar Exemplar(double value, string traceIdHex, string spanIdHex, ulong timeNanos = BaseNanos,
        params KeyValue[] attributes)
    {
        var exemplar = new Exemplar
        {
            AsDouble = value, TimeUnixNano = timeNanos,
            TraceId = ByteString.CopyFrom(Convert.FromHexString(traceIdHex)),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(spanIdHex)),
        };
        exemplar.FilteredAttributes.AddRange(attributes);
        return exemplar;
    }

    public static T WithExemplars<T>(this T point, params Exemplar[] exemplars) where T : class
    {
        switch (point)
        {
            case HistogramDataPoint h: h.Exemplars.AddRange(exemplars); break;
            case NumberDataPoint n: n.Exemplars.AddRange(exemplars); break;
            default: throw new ArgumentException("no exemplars on " + typeof(T).Name);
        }
        return point;
    }

    public const string TraceA = "5b8efff798038103d269b633813fc60c";
    public const string SpanA = "eee19b7ec3c1b174";
    public const string TraceB = "0af7651916cd43dd8448eb211c80319c";
    public const string SpanB = "b7ad6b7169203331";
}
