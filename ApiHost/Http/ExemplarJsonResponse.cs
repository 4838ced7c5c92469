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

    /// <param name="limit">At most this many exemplars, the newest (<see cref="ExemplarLimit"/>); 0 for all. The answers
    /// must then carry their exemplar index.</param>
    public static async Task WriteAsync(HttpResponse response, IReadOnlyList<SeriesJsonBatch> answers, int limit, CancellationToken cancellationToken)
    {
        response.ContentType = "application/json";
        var order = SeriesJsonMerger.Order(answers);
        var keep = ExemplarLimit.Newest(answers, limit);
        var body = response.BodyWriter;
        body.Write("{\"status\":\"success\",\"data\":["u8);
        var unflushed = 0;
        var any = false;
        for (var i = 0; i < order.Count;)
        {
            // About the bytes written (a series merged from several grains may be shorter): enough for a threshold.
            unflushed += answers[order[i].Batch].SeriesJson(order[i].Series).Length;
            if (keep is null)
            {
                if (i > 0) body.Write(","u8);
                i = SeriesJsonMerger.WriteSeries(answers, order, i, body);
            }
            else
            {
                i = SeriesJsonMerger.WriteSeries(answers, order, i, body, keep, separator: any, out var written);
                any |= written;
            }
            if (unflushed >= FlushThreshold)
            {
                unflushed = 0;
                var flushed = await body.FlushAsync(cancellationToken);
                if (flushed.IsCanceled || flushed.IsCompleted) return;
            }
        }
        // Prometheus' envelope puts warnings after the data; a client that ignores them still gets a valid answer.
        body.Write(keep is null ? "]}"u8 : "],\"warnings\":[\"results truncated due to limit\"]}"u8);
        await body.FlushAsync(cancellationToken);
    }
}
