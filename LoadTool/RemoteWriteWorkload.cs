using System.Globalization;
using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.LoadTool;

/// <summary>The shape of a workload; with the same shape, request r is the same bytes on every machine and run.</summary>
/// <param name="Seed">Seeds the run label, trace ids and exemplar values.</param>
/// <param name="Series">Series per request (bucket series of histograms, 12 buckets a histogram).</param>
/// <param name="Metrics">Distinct metric names the histograms are spread over.</param>
/// <param name="ExemplarRatio">Share of a request's series that carry an exemplar (rotating over the series).</param>
/// <param name="Shards">Disjoint series sets (one <c>instance</c> each); request r writes shard r mod Shards.</param>
/// <param name="StartMs">Timestamp of request 0 (Unix ms).</param>
/// <param name="StepMs">Timestamp step from one request to the next.</param>
/// <param name="RotateMetrics">Shard k starts its histograms at metric k × (histograms per request), so the shards
/// together cover all <see cref="Metrics"/> names even when one request has fewer histograms than names (issue 8's
/// shape: 1 000 series a request, 200 metrics). Off: every shard writes the same names (the original workload).</param>
public sealed record WorkloadShape(int Seed, int Series, int Metrics, double ExemplarRatio, int Shards, long StartMs, long StepMs,
    bool RotateMetrics = false);

/// <summary>One encoded request and what it carries.</summary>
public sealed record EncodedRequest(long Index, string Key, byte[] Body, int Samples, int Exemplars);

/// <summary>
/// Deterministic Prometheus-shaped remote-write 1.0 load: request r is a pure function of the shape and r (no clock,
/// no shared random state), so requests can be encoded in any order or in parallel and two runs with the same shape
/// send the same bytes. Each request is one scrape of one shard (an <c>instance</c>): <see cref="WorkloadShape.Series"/>
/// histogram bucket series <c>load_metric_&lt;m&gt;_seconds_bucket{handler, instance, job="loadtool", le, run}</c>
/// with cumulative counts, one sample each, and an exemplar with a 32-hex <c>trace_id</c> on a rotating share of
/// them, its value inside its bucket. Series of a shard never appear under another shard, so keying Kafka messages
/// by <see cref="Key"/> keeps every series in one partition, in timestamp order.
/// </summary>
public sealed class RemoteWriteWorkload
{
    /// <summary>Prometheus' default histogram buckets; the last is +Inf.</summary>
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, double.PositiveInfinity];

    public const string Job = "loadtool";
    public const string ExemplarLabel = "trace_id";

    private readonly WorkloadShape _shape;
    private readonly int _stride;

    /// <summary>Label values of series i, shared by every shard (the shard adds its instance): name, handler, le.</summary>
    private readonly (ByteString Name, ByteString Handler, ByteString Le, int Metric, int Bucket)[] _series;

    private readonly ByteString[] _instances;
    private readonly ByteString _run;
    private readonly int _histogramsPerRequest;
    private readonly ByteString[]? _metricNames;

    public RemoteWriteWorkload(WorkloadShape shape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.Series, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.Metrics, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.Shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.StepMs, 1);
        if (shape.ExemplarRatio is < 0 or > 1 || double.IsNaN(shape.ExemplarRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), "the exemplar ratio must be in [0, 1]");
        }
        _shape = shape;
        _stride = shape.ExemplarRatio == 0 ? 0 : Math.Max(1, (int)Math.Round(1 / shape.ExemplarRatio));
        Run = Convert.ToHexStringLower(RandomBytes(new Random(shape.Seed), 4));
        _run = ByteString.CopyFromUtf8(Run);
        _instances = Enumerable.Range(0, shape.Shards).Select(k => ByteString.CopyFromUtf8(Instance(k))).ToArray();
        _series = Enumerable.Range(0, shape.Series).Select(i =>
        {
            var histogram = i / Buckets.Length;
            var metric = histogram % shape.Metrics;
            var bucket = i % Buckets.Length;
            return (ByteString.CopyFromUtf8(MetricName(metric)),
                ByteString.CopyFromUtf8("/api/" + (histogram / shape.Metrics).ToString(CultureInfo.InvariantCulture)),
                ByteString.CopyFromUtf8(Le(bucket)), metric, bucket);
        }).ToArray();
        _histogramsPerRequest = (shape.Series + Buckets.Length - 1) / Buckets.Length;
        if (shape.RotateMetrics)
        {
            _metricNames = Enumerable.Range(0, shape.Metrics).Select(m => ByteString.CopyFromUtf8(MetricName(m))).ToArray();
        }
    }

    public WorkloadShape Shape => _shape;

    /// <summary>The <c>run</c> label of every series (8 hex digits derived from the seed).</summary>
    public string Run { get; }

    /// <summary>Metric names the workload writes (those of the first <see cref="WorkloadShape.Series"/> series).</summary>
    public IEnumerable<string> MetricNames => _shape.RotateMetrics
        ? Enumerable.Range(0, _shape.Metrics).Where(m => Enumerable.Range(0, _shape.Shards).Any(k =>
            (m - (long)k * _histogramsPerRequest % _shape.Metrics + _shape.Metrics) % _shape.Metrics < _histogramsPerRequest)).Select(MetricName)
        : Enumerable.Range(0, Math.Min(_shape.Metrics, _histogramsPerRequest)).Select(MetricName);

    public static string MetricName(int metric) => $"load_metric_{metric.ToString(CultureInfo.InvariantCulture)}_seconds_bucket";

    public static string Instance(int shard) => $"loadgen-{shard.ToString(CultureInfo.InvariantCulture)}:9100";

    /// <summary>The Kafka message key of request <paramref name="index"/>: its shard's instance.</summary>
    public string Key(long index) => Instance(Shard(index));

    public int Shard(long index) => (int)(index % _shape.Shards);

    public long Timestamp(long index) => _shape.StartMs + index * _shape.StepMs;

    /// <summary>Request <paramref name="index"/> as a protobuf message.</summary>
    public WriteRequest Build(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var shard = Shard(index);
        var scrape = index / _shape.Shards; // how many times this shard was written before
        var ts = Timestamp(index);
        var random = new Random(RequestSeed(_shape.Seed, index));
        var request = new WriteRequest();
        for (var i = 0; i < _series.Length; i++)
        {
            var (name, handler, le, metric, bucket) = _series[i];
            if (_metricNames is not null)
            {
                metric = (int)((i / Buckets.Length + (long)shard * _histogramsPerRequest) % _shape.Metrics);
                name = _metricNames[metric];
            }
            var series = new TimeSeries();
            series.Labels.Add(Label(LabelNames.Name, name));
            series.Labels.Add(Label(LabelNames.Handler, handler));
            series.Labels.Add(Label(LabelNames.Instance, _instances[shard]));
            series.Labels.Add(Label(LabelNames.Job, LabelNames.JobValue));
            series.Labels.Add(Label(LabelNames.Le, le));
            series.Labels.Add(Label(LabelNames.Run, _run));
            series.Samples.Add(new Sample { Value = BucketCount(metric, bucket, scrape), Timestamp = ts });
            if (_stride > 0 && (i + scrape) % _stride == 0)
            {
                var exemplar = new Exemplar { Value = ExemplarValue(bucket, random.NextDouble()), Timestamp = ts };
                exemplar.Labels.Add(Label(LabelNames.TraceId, ByteString.CopyFromUtf8(Convert.ToHexStringLower(RandomBytes(random, 16)))));
                series.Exemplars.Add(exemplar);
            }
            request.Timeseries.Add(series);
        }
        return request;
    }

    /// <summary>Request <paramref name="index"/> as a snappy remote-write 1.0 body.</summary>
    public EncodedRequest Encode(long index)
    {
        var request = Build(index);
        return new EncodedRequest(index, Key(index), RemoteWriteDecoder.EncodeSnappy(request), request.Timeseries.Count,
            request.Timeseries.Sum(s => s.Exemplars.Count));
    }

    /// <summary>Requests 0 … <paramref name="count"/> − 1, encoded in parallel (the result does not depend on it).</summary>
    public EncodedRequest[] EncodeAll(int count)
    {
        var all = new EncodedRequest[count];
        Parallel.For(0, count, r => all[r] = Encode(r));
        return all;
    }

    /// <summary>Cumulative count of bucket <paramref name="bucket"/> after scrape n: 100 observations a scrape,
    /// log-logistic latencies with a median per metric, so the counters are monotonic in le and in time.</summary>
    private static double BucketCount(int metric, int bucket, long scrape)
    {
        var median = 0.05 * (1 + metric % 5);
        var le = Buckets[bucket];
        var cdf = double.IsPositiveInfinity(le) ? 1 : le * le / (le * le + median * median);
        return Math.Floor((scrape + 1) * 100 * cdf);
    }

    /// <summary>An observed value inside the bucket (lower, le]; the +Inf bucket takes (10, 20].</summary>
    private static double ExemplarValue(int bucket, double u)
    {
        var lower = bucket == 0 ? 0 : Buckets[bucket - 1];
        var upper = double.IsPositiveInfinity(Buckets[bucket]) ? 2 * lower : Buckets[bucket];
        return Math.Round(upper - (upper - lower) * u, 6) is var v && v > lower ? v : upper;
    }

    private static string Le(int bucket) =>
        double.IsPositiveInfinity(Buckets[bucket]) ? "+Inf" : Buckets[bucket].ToString("R", CultureInfo.InvariantCulture);

    /// <summary>SplitMix64 of (seed, index): independent, reproducible randomness per request.</summary>
    private static int RequestSeed(int seed, long index)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Label Label(ByteString name, ByteString value) => new() { Name = name, Value = value };

    private static class LabelNames
    {
        public static readonly ByteString Name = ByteString.CopyFromUtf8("__name__");
        public static readonly ByteString Handler = ByteString.CopyFromUtf8("handler");
        public static readonly ByteString Instance = ByteString.CopyFromUtf8("instance");
        public static readonly ByteString Job = ByteString.CopyFromUtf8("job");
        public static readonly ByteString JobValue = ByteString.CopyFromUtf8(RemoteWriteWorkload.Job);
        public static readonly ByteString Le = ByteString.CopyFromUtf8("le");
        public static readonly ByteString Run = ByteString.CopyFromUtf8("run");
        public static readonly ByteString TraceId = ByteString.CopyFromUtf8(ExemplarLabel);
    }
}
