using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Hosting;
using OrleansExemplars.ApiHost.Ingest;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Prometheus.RemoteWrite;
using Snappier;

namespace OrleansExemplars.ApiHost.Http;

public static class RemoteWriteEndpoints
{
    /// <summary>
    /// <c>POST /api/v1/write</c>, a remote-write 1.0 and 2.0 receiver (2.0 when the content type says
    /// <c>proto=io.prometheus.write.v2.Request</c>). 204 once every exemplar is in its grain; 400 names the first
    /// refused series (the valid ones of the request are kept); 413 over <c>Api:MaxRequestBytes</c>. With remote-write
    /// endpoints configured, 2xx waits until they accepted the samples too (503 after <c>Api:ForwardTimeout</c>, or at once
    /// when a silo's forward queue is full), and native histograms, which are not forwarded, make it a 400 partial write.
    /// 415 for any other content type or content encoding. When the grains fail it, 503 (cluster unreachable) or 500 (a
    /// grain failed), with Prometheus' error body (<see cref="PrometheusErrors.ForException"/>).
    /// </summary>
    public static RouteGroupBuilder MapRemoteWrite(this RouteGroupBuilder group)
    {
        group.MapPost("/write", HandleAsync);
        return group;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, RemoteWriteIngestor ingestor, ApiMetrics metrics,
        IOptions<ApiHostOptions> options, IOptions<IngestLimitsOptions> limits)
    {
        if (RemoteWriteDecoder.UnsupportedContentType(http.Request.ContentType) is { } unsupported)
        {
            metrics.RecordRequest("bad_request");
            return PrometheusErrors.Result(StatusCodes.Status415UnsupportedMediaType, PrometheusErrors.BadData, unsupported);
        }
        var maxDecompressed = options.Value.MaxRequestBytes;
        // Snappy may expand incompressible input slightly: allow the largest body that can still inflate under the limit.
        var maxBody = Snappy.GetMaxCompressedLength(maxDecompressed);
        if (http.Request.ContentLength > maxBody) return TooLarge(metrics, http.Request.ContentLength.Value, maxBody);

        var (buffer, length) = await RequestBody.ReadAtMostAsync(http.Request.Body, maxBody, http.RequestAborted);
        try
        {
            if (length > maxBody) return TooLarge(metrics, length, maxBody);
            DecodedWrite write;
            try
            {
                write = RemoteWriteDecoder.ReadHttpBody(buffer.AsSpan(0, length), http.Request.ContentType,
                    http.Request.Headers.ContentEncoding, maxDecompressed, ingestor.Forwarding, limits.Value.ToLimits());
            }
            catch (RemoteWriteFormatException e)
            {
                metrics.RecordRequest("bad_request");
                return e.Error switch
                {
                    RemoteWriteFormatError.TooLarge => PrometheusErrors.Result(
                        StatusCodes.Status413PayloadTooLarge, PrometheusErrors.BadData, e.Message),
                    RemoteWriteFormatError.UnsupportedEncoding => PrometheusErrors.Result(
                        StatusCodes.Status415UnsupportedMediaType, PrometheusErrors.BadData, e.Message),
                    _ => PrometheusErrors.BadRequest(e.Message),
                };
            }

            var requestId = ingestor.Forwarding
                ? RequestFingerprint.Of(buffer.AsSpan(0, length), http.Request.ContentType, http.Request.Headers.ContentEncoding)
                : "";
            IngestOutcome outcome;
            try
            {
                outcome = await ingestor.IngestAsync(write, requestId, http.RequestAborted);
            }
            catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
            {
                // Nothing of the request is acknowledged; the sender retries it (appends are idempotent).
                var (status, type, message) = PrometheusErrors.ForException(e, "writing the request's exemplars");
                metrics.RecordRequest(type == PrometheusErrors.Unavailable ? "unavailable" : "error");
                if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = RetryAfterSeconds;
                return PrometheusErrors.Result(status, type, message);
            }
            switch (outcome)
            {
                case IngestOutcome.ForwardTimeout:
                    metrics.RecordRequest("forward_timeout");
                    http.Response.Headers.RetryAfter = RetryAfterSeconds;
                    return PrometheusErrors.Result(StatusCodes.Status503ServiceUnavailable, PrometheusErrors.Unavailable,
                        "the remote-write endpoints have not accepted the samples yet (they stay queued); retry later");
                case IngestOutcome.QueueFull:
                    // 503, not 429: Prometheus before 3.0 drops a batch answered 429 unless retry_on_http_429 is set.
                    metrics.RecordRequest("queue_full");
                    http.Response.Headers.RetryAfter = RetryAfterSeconds;
                    return PrometheusErrors.Result(StatusCodes.Status503ServiceUnavailable, PrometheusErrors.Unavailable,
                        "the forward queue is full (RemoteWrite:MaxQueuedBytes): the remote-write endpoints are slow or down " +
                        "and not every sample of the request could be queued; retry later");
            }
            // Native histograms are validated and counted but no forwarder sends them yet: with endpoints configured
            // they are not written, and a remote write 2.0 sender must not be told otherwise.
            var unforwardedHistograms = ingestor.Forwarding ? write.HistogramCount : 0;
            if (RemoteWriteDecoder.IsV2ContentType(http.Request.ContentType))
            {
                // Remote write 2.0 receivers report what they wrote; senders treat a 2xx without these as 415.
                http.Response.Headers["X-Prometheus-Remote-Write-Samples-Written"] = write.SampleCount.ToString(CultureInfo.InvariantCulture);
                http.Response.Headers["X-Prometheus-Remote-Write-Histograms-Written"] =
                    (write.HistogramCount - unforwardedHistograms).ToString(CultureInfo.InvariantCulture);
                http.Response.Headers["X-Prometheus-Remote-Write-Exemplars-Written"] = write.ExemplarCount.ToString(CultureInfo.InvariantCulture);
            }
            if (write.Invalid.Count > 0 || unforwardedHistograms > 0)
            {
                // A partial write is a 400 naming what was left out (remote write 2.0 spec); the rest is written.
                metrics.RecordRequest(write.Invalid.Count > 0 ? "invalid_series" : "unforwarded_histograms");
                return PrometheusErrors.BadRequest(PartialWriteMessage(write, unforwardedHistograms));
            }
            metrics.RecordRequest("success");
            return Results.NoContent();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const string RetryAfterSeconds = "5";

    private static string PartialWriteMessage(DecodedWrite write, long unforwardedHistograms)
    {
        var parts = new List<string>();
        if (write.Invalid.Count > 0)
        {
            var more = write.Invalid.Count > 1 ? $" (and {write.Invalid.Count - 1} more invalid series)" : "";
            parts.Add($"{write.Invalid[0]}{more}");
        }
        if (unforwardedHistograms > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{unforwardedHistograms} native histogram samples were not written: native histograms are not forwarded to the remote-write endpoints"));
        }
        var valid = write.SeriesCount - write.Invalid.Count;
        return string.Create(CultureInfo.InvariantCulture,
            $"{string.Join("; ", parts)}; {valid} valid series of the request were written ({write.SampleCount} float samples, {write.ExemplarCount} exemplars)");
    }

    private static IResult TooLarge(ApiMetrics metrics, long length, long max)
    {
        metrics.RecordRequest("too_large");
        return PrometheusErrors.Result(StatusCodes.Status413PayloadTooLarge, PrometheusErrors.BadData,
            $"remote write request body of {length} bytes exceeds the limit of {max} bytes");
    }
}
