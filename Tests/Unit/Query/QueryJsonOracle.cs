using System.Buffers;
using System.Text.Json;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Tests.Query;

/// <summary>
/// The query answer as the API host wrote it before grains answered in JSON: the merged <see cref="SeriesExemplars"/>
/// through one <see cref="Utf8JsonWriter"/> (the former <c>PrometheusJson.WriteExemplarsAsync</c>, kept as the oracle).
/// </summary>
internal static class QueryJsonOracle
{
    public static byte[] Write(IReadOnlyList<SeriesExemplars> results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SeriesJsonBatchWriter.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("status", "success");
            json.WriteStartArray("data");
            foreach (var series in results)
            {
                json.WriteStartObject();
                json.WritePropertyName("seriesLabels");
                WriteLabels(json, series.Series);
                json.WriteStartArray("exemplars");
                foreach (var e in series.Exemplars)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("labels");
                    WriteLabels(json, e.Labels);
                    json.WriteString("value", PrometheusNumberOracle.FormatValue(e.Value));
                    json.WritePropertyName("timestamp");
                    json.WriteRawValue(PrometheusNumberOracle.FormatTimestamp(e.TimestampMs), skipInputValidation: true);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteLabels(Utf8JsonWriter json, LabelSet labels)
    {
        json.WriteStartObject();
        foreach (var l in labels.AsSpan())
        {
            json.WriteString(l.Name, l.Value);
        }
        json.WriteEndObject();
    }

    /// <summary>The new path: grain answers as batches, merged and written as the API host streams them.</summary>
    public static byte[] WriteMerged(IReadOnlyList<SeriesJsonBatch> batches)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("{\"status\":\"success\",\"data\":["u8);
        var order = SeriesJsonMerger.Order(batches);
        for (var i = 0; i < order.Count;)
        {
            if (i > 0) buffer.Write(","u8);
            i = SeriesJsonMerger.WriteSeries(batches, order, i, buffer);
        }
        buffer.Write("]}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A grain's answer built from its sorted series, single-label exemplars through the compact overload.</summary>
    public static SeriesJsonBatch Batch(IEnumerable<SeriesExemplars> sortedSeries) =>
        Batch(sortedSeries, SeriesJsonOptions.Keys | SeriesJsonOptions.ExemplarIndex);

    public static SeriesJsonBatch Batch(IEnumerable<SeriesExemplars> sortedSeries, SeriesJsonOptions options)
    {
        var writer = new SeriesJsonBatchWriter(options: options);
        foreach (var s in sortedSeries)
        {
            writer.BeginSeries(s.Series);
            foreach (var e in s.Exemplars)
            {
                if (e.Labels.Count == 1) writer.AddExemplar(e.Labels[0].Name, e.Labels[0].Value, e.Value, e.TimestampMs, e.HasTimestamp);
                else writer.AddExemplar(e.Labels, e.Value, e.TimestampMs, e.HasTimestamp);
            }
            writer.EndSeries();
        }
        return writer.ToBatch();
    }
}
