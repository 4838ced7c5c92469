using System.Text.Encodings.Web;
using OrleansExemplars.Prometheus.Json;

namespace OrleansExemplars.ApiHost.Http;

/// <summary>Prometheus-compatible JSON spelling for the API host (the number rules live in <see cref="PrometheusJsonNumbers"/>).</summary>
internal static class PrometheusJson
{
    /// <summary>Label values are user text (often non-ASCII): keep them readable instead of \u-escaping.</summary>
    public static readonly JavaScriptEncoder Encoder = SeriesJsonBatchWriter.Encoder;

    public static string FormatTimestamp(long ms) => PrometheusJsonNumbers.FormatTimestamp(ms);

    public static string FormatValue(double v) => PrometheusJsonNumbers.FormatValue(v);
}
