using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks;

/// <summary>Realistic inputs: histogram-bucket series and exemplars carrying one 32-hex-digit trace id.</summary>
internal static class RingData
{
    public const string MetricName = "http_request_duration_seconds_bucket";
    public const string TraceIdName = "trace_id";

    private static readonly string[] Buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];

    public static LabelSet[] Series(int count, int seed = 1)
    {
        var series = new LabelSet[count];
        for (var i = 0; i < count; i++)
        {
            var pod = i / Buckets.Length;
            series[i] = LabelSet.FromOwnedArray(
            [
                new Label(LabelSet.MetricName, MetricName),
                new Label("instance", $"10.{seed}.{pod / 256}.{pod % 256}:8080"),
                new Label("job", "api"),
                new Label("le", Buckets[i % Buckets.Length]),
            ]);
        }
        return series;
    }

    /// <summary>A fresh 32-hex-digit trace id string, as every decoded exemplar carries its own.</summary>
    public static string TraceId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public static LabelSet TraceLabels(string name, string traceId) => LabelSet.FromOwnedArray([new Label(name, traceId)]);
}
