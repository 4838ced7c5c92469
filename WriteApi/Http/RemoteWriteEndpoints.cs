using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansExemplars.WriteApi.Ingest;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Prometheus.RemoteWrite;
using Snappier;

namespace OrleansExemplars.WriteApi.Http;

public static class RemoteWriteEndpoints
{
    /// <summary>
    /// <c>POST /api/v1/write</c>, a remote-write 1.0 and 2.0 receiver (2.0 when the content type says
    /// <c>proto=io.prometheus.write.v2.Request</c>). 204 once every exemplar is in its grain; 400 names the first
    /// refused series (the valid ones of the request are kept); 413 over <c>Api:MaxRequestBytes</c>. With remote-write
    /// endpoints configured, 2xx waits until they accepted the samples and native histograms too (503 after
    /// <c>Api:ForwardTimeout</c>, or at once when a silo's forward queue is full). 415 for any other content type or
    /// content encoding. When the grains fail it, 503 (cluster unreachable) or 500 (a grain failed), with Prometheus' error
    /// body (<see cref="PrometheusErrors.ForException"/>). Every answer to a 2.0 request past content negotiation carries
    /// the three <c>X-Prometheus-Remote-Write-*-Written</c> counts (<see cref="SetWritten"/>).
    /// </summary>
    public static RouteGroupBuilder MapRemoteWrite(this RouteGroupBuilder group)
    {
        group.MapPost("/write", HandleAsync);
        return group;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, RemoteWriteIngestor ingestor, WriteApiMetrics metrics,
        IOptions<WriteApiOptions> options, IOptions<IngestLimitsOptions> limits)
    {
        if (RemoteWriteDecoder.UnsupportedContentType(http.Request.ContentType) is { } unsupported)
        {
            metrics.RecordRequest("bad_request");
            return PrometheusErrors.Result(StatusCodes.Status415UnsupportedMediaType, PrometheusErrors.BadData, unsupported);
        }
        var v2 = RemoteWriteDecoder.IsV2ContentType(http.Request.ContentType);
        // Nothing is written until the request is: every early answer says so (remote write 2.0 wants the counts on
        // failures too); the success and partial-write answers below set the real counts.
        SetWritten(http, v2, 0, 0, 0);
        var maxDecompressed = options.Value.MaxRequestBytes;
        // Snappy may expand incompressible input slightly: allow the largest body that can still inflate under the limit.
        var maxBody = Snappy.GetMaxCompressedLength(maxDecompressed);
        if (http.Request.ContentLength > maxBody) return TooLarge(metrics, http.Request.ContentLength.Value, maxBody);

        var (buffer, length) = await RequestBody.ReadAtMostAsync(http, maxBody);
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
                // An unsupported encoding fails content negotiation: no counts, as for an unsupported content type.
                if (e.Error == RemoteWriteFormatError.UnsupportedEncoding) SetWritten(http, v2: false, 0, 0, 0);
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
                return IngestAnswers.Failed(http, e, metrics.RecordRequest);
            }
            if (IngestAnswers.NotForwarded(http, outcome, metrics.RecordRequest) is { } notForwarded) return notForwarded;
            // Written: the valid series' samples, native histograms and exemplars, now in the rings and (with endpoints)
            // accepted by every endpoint. Refused series count for nothing.
            SetWritten(http, v2, write.SampleCount, write.HistogramCount, write.ExemplarCount);
            if (write.Invalid.Count > 0)
            {
                // A partial write is a 400 naming what was left out (remote write 2.0 spec); the rest is written.
                metrics.RecordRequest("invalid_series");
                return PrometheusErrors.BadRequest(PartialWriteMessage(write));
            }
            metrics.RecordRequest("success");
            return Results.NoContent();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }


    private static string PartialWriteMessage(DecodedWrite write)
    {
        var more = write.Invalid.Count > 1 ? $" (and {write.Invalid.Count - 1} more invalid series)" : "";
        var valid = write.SeriesCount - write.Invalid.Count;
        return string.Create(CultureInfo.InvariantCulture,
            $"{write.Invalid[0]}{more}; {valid} valid series of the request were written ({write.SampleCount} float samples, " +
            $"{write.HistogramCount} native histogram samples, {write.ExemplarCount} exemplars)");
    }

    /// <summary>
    /// Remote write 2.0's <c>X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written</c>, on the answer to a 2.0
    /// request (<paramref name="v2"/>; false removes them): what of it was written. A sender takes a 2xx without them for a
    /// 1.0 receiver. A 5xx writes nothing as far as the sender knows (it resends the whole request, and resends are
    /// idempotent here), so it says 0, as Prometheus does when it rolls a failed request back.
    /// </summary>
    private static void SetWritten(HttpContext http, bool v2, long samples, long histograms, long exemplars)
    {
        var headers = http.Response.Headers;
        if (!v2)
        {
            headers.Remove(SamplesWritten);
            headers.Remove(HistogramsWritten);
            headers.Remove(ExemplarsWritten);
            return;
        }
        headers[SamplesWritten] = samples.ToString(CultureInfo.InvariantCulture);
        headers[HistogramsWritten] = histograms.ToString(CultureInfo.InvariantCulture);
        headers[ExemplarsWritten] = exemplars.ToString(CultureInfo.InvariantCulture);
    }

    private const string SamplesWritten = "X-Prometheus-Remote-Write-Samples-Written";
    private const string HistogramsWritten = "X-Prometheus-Remote-Write-Histograms-Written";
    private const string ExemplarsWritten = "X-Prometheus-Remote-Write-Exemplars-Written";

    private static IResult TooLarge(WriteApiMetrics metrics, long length, long max)
    {
        metrics.RecordRequest("too_large");
        return PrometheusErrors.Result(StatusCodes.Status413PayloadTooLarge, PrometheusErrors.BadData,
            $"remote write request body of {length} bytes exceeds the limit of {max} bytes");
    }
}
