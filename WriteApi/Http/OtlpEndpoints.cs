using System.Buffers;
using Microsoft.Extensions.Options;
using OrleansExemplars.WriteApi.Ingest;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Prometheus.Otlp;
using OrleansExemplars.Prometheus.Otlp.Proto;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.WriteApi.Http;

public static class OtlpEndpoints
{
    /// <summary>
    /// <c>POST /api/v1/otlp/v1/metrics</c>, an OTLP/HTTP metrics receiver as Prometheus 3's: protobuf or OTLP/JSON,
    /// raw or gzip. The points are translated to Prometheus series (<see cref="OtlpTranslator"/>, option section
    /// <c>Otlp</c>) and ingested exactly as <c>/api/v1/write</c> ingests a request with those series: same validation and
    /// limits, exemplars to their grains, samples to the remote-write endpoints, the same waiting and the same 503s.
    /// 200 with an <c>ExportMetricsServiceResponse</c> in the request's encoding, carrying <c>partial_success</c> when
    /// some points were rejected (delta temporality, exponential histograms, invalid names or series); 400 for a body
    /// that cannot be read, 413 over <c>Api:MaxRequestBytes</c>, 415 for another content type or encoding, all with
    /// Prometheus' error body.
    /// </summary>
    public static RouteGroupBuilder MapOtlpMetrics(this RouteGroupBuilder group)
    {
        group.MapPost("/otlp/v1/metrics", HandleAsync);
        return group;
    }


    private static async Task<IResult> HandleAsync(HttpContext http, RemoteWriteIngestor ingestor, OtlpMetrics metrics,
        IOptions<WriteApiOptions> options, IOptions<IngestLimitsOptions> limits, IOptions<OtlpOptions> otlp)
    {
        var contentType = http.Request.ContentType;
        if (OtlpRequestDecoder.Format(contentType) is not { } format)
        {
            metrics.RecordRequest("unsupported");
            return PrometheusErrors.Result(StatusCodes.Status415UnsupportedMediaType, PrometheusErrors.BadData,
                OtlpRequestDecoder.UnsupportedContentType(contentType));
        }
        var maxDecompressed = options.Value.MaxRequestBytes;
        // gzip may grow incompressible input a little: allow for it.
        var maxBody = (int)Math.Min(int.MaxValue - 1L, maxDecompressed + maxDecompressed / 100L + 1024);
        if (http.Request.ContentLength > maxBody) return TooLarge(metrics, http.Request.ContentLength.Value, maxBody);

        var (buffer, length) = await RequestBody.ReadAtMostAsync(http, maxBody);
        try
        {
            if (length > maxBody) return TooLarge(metrics, length, maxBody);
            var encoding = http.Request.Headers.ContentEncoding.ToString();
            OtlpWrite write;
            try
            {
                var request = OtlpRequestDecoder.Decode(buffer.AsMemory(0, length), format, encoding, maxDecompressed);
                var translation = OtlpTranslator.Translate(request, otlp.Value.ToSettings());
                write = OtlpWriteReader.Read(translation, limits.Value.ToLimits());
            }
            catch (OtlpFormatException e)
            {
                switch (e.Error)
                {
                    case OtlpFormatError.TooLarge:
                        metrics.RecordRequest("too_large");
                        return PrometheusErrors.Result(StatusCodes.Status413PayloadTooLarge, PrometheusErrors.BadData, e.Message);
                    case OtlpFormatError.UnsupportedEncoding or OtlpFormatError.UnsupportedContentType:
                        metrics.RecordRequest("unsupported");
                        return PrometheusErrors.Result(StatusCodes.Status415UnsupportedMediaType, PrometheusErrors.BadData, e.Message);
                    default:
                        metrics.RecordRequest("bad_request");
                        return PrometheusErrors.BadRequest(e.Message);
                }
            }
            metrics.RecordPoints(write);

            // The translation is a function of the bytes, so a resent request is the same request to the forwarders.
            var requestId = ingestor.Forwarding
                ? RequestFingerprint.Of(buffer.AsSpan(0, length), "otlp;" + contentType, encoding)
                : "";
            IngestOutcome outcome;
            try
            {
                outcome = await ingestor.IngestAsync(write.Write, requestId, http.RequestAborted);
            }
            catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
            {
                return IngestAnswers.Failed(http, e, metrics.RecordRequest);
            }
            if (IngestAnswers.NotForwarded(http, outcome, metrics.RecordRequest) is { } notForwarded) return notForwarded;

            var response = new ExportMetricsServiceResponse();
            // OTLP: partial_success when points were rejected, or with 0 rejected to carry a warning.
            if (write.RejectedDataPoints > 0 || write.ErrorMessage.Length > 0)
            {
                response.PartialSuccess = new ExportMetricsPartialSuccess
                {
                    RejectedDataPoints = write.RejectedDataPoints,
                    ErrorMessage = write.ErrorMessage,
                };
            }
            metrics.RecordRequest(write.RejectedDataPoints > 0 ? "partial" : "success");
            return Results.Bytes(OtlpRequestDecoder.EncodeResponse(response, format), OtlpRequestDecoder.ContentType(format));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult TooLarge(OtlpMetrics metrics, long length, long max)
    {
        metrics.RecordRequest("too_large");
        return PrometheusErrors.Result(StatusCodes.Status413PayloadTooLarge, PrometheusErrors.BadData,
            $"OTLP metrics request body of {length} bytes exceeds the limit of {max} bytes (Api:MaxRequestBytes)");
    }
}
