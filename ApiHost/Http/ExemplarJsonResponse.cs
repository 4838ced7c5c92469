using System.Buffers;
using OrleansExemplars.Prometheus.Json;

namespace OrleansExemplars.ApiHost.Http;

/// <summary>
/// Streams the answer of <c>query_exemplars</c>: <c>{"status":"success","data":[…]}</c> around the grains' series JSON,
/// merged in label order, flushed to the connection as it goes instead of built whole in memory first.
/// </summary>
public static class ExemplarJsonResponse
{
    /// <summary>Unflushed bytes after which the writer waits for the connection (bounds the memory of a big answer).</summary>
    private const int FlushThreshold = 256 * 1024;

    public static async Task WriteAsync(HttpResponse response, IReadOnlyList<SeriesJsonBatch> answers, CancellationToken cancellationToken)
    {
        response.ContentType = "application/json";
        var order = SeriesJsonMerger.Order(answers);
        var body = response.BodyWriter;
        body.Write("{\"status\":\"success\",\"data\":["u8);
        var unflushed = 0;
        for (var i = 0; i < order.Count;)
        {
            if (i > 0) body.Write(","u8);
            // About the bytes written (a series merged from several grains may be shorter): enough for a threshold.
            unflushed += answers[order[i].Batch].SeriesJson(order[i].Series).Length;
            i = SeriesJsonMerger.WriteSeries(answers, order, i, body);
            if (unflushed >= FlushThreshold)
            {
                unflushed = 0;
                var flushed = await body.FlushAsync(cancellationToken);
                if (flushed.IsCanceled || flushed.IsCompleted) return;
            }
        }
        body.Write("]}"u8);
        await body.FlushAsync(cancellationToken);
    }
}
