using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using Polly.Timeout;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// Sends batches to one remote-write endpoint. Thread-safe: many grains may send at once, each call is one request
/// (retried by the endpoint's HTTP client pipeline, see <see cref="RemoteWriteResilience"/>) on a client from
/// <see cref="IHttpClientFactory"/>.
/// </summary>
public sealed class RemoteWriteSender
{
    public const string SamplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written";
    public const string HistogramsWrittenHeader = "X-Prometheus-Remote-Write-Histograms-Written";
    public const string ExemplarsWrittenHeader = "X-Prometheus-Remote-Write-Exemplars-Written";
    public const string VersionHeader = "X-Prometheus-Remote-Write-Version";

    /// <summary>How much of a refusing endpoint's answer goes into the log and <see cref="SendResult.Error"/>.</summary>
    public const int MaxErrorBodyBytes = 1024;

    /// <summary><c>OrleansExemplars/&lt;version&gt;</c>, sent as <c>User-Agent</c>.</summary>
    public static readonly string UserAgent = "OrleansExemplars/" + ProductVersion();

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly string _clientName;
    private readonly Uri _url;
    private readonly RemoteWriteMetrics _metrics;
    private readonly ILogger _logger;

    public RemoteWriteSender(string name, RemoteWriteEndpointOptions endpoint, string httpClientName,
        IHttpClientFactory httpClientFactory, RemoteWriteMetrics metrics, ILogger<RemoteWriteSender> logger)
    {
        Name = name;
        Endpoint = endpoint;
        _url = new Uri(endpoint.Url, UriKind.Absolute);
        _clientName = httpClientName;
        _httpClientFactory = httpClientFactory;
        _metrics = metrics;
        _logger = logger;
        metrics.RegisterEndpoint(name);
    }

    /// <summary>The endpoint's name, as in the metrics' <c>endpoint</c> tag.</summary>
    public string Name { get; }

    public RemoteWriteEndpointOptions Endpoint { get; }

    /// <summary>
    /// Sends <paramref name="batch"/> as one remote-write request and returns once it is acknowledged (2xx) or given up
    /// (a non-retryable answer, or <c>MaxRetries</c> spent). Retryable failures are retried, forever by default: the
    /// call then returns only when the endpoint takes the batch, or throws <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> is cancelled, in which case the batch was neither sent nor dropped.
    /// A batch with nothing to send returns <see cref="SendOutcome.Sent"/> with no request. Series the encoder cannot
    /// encode are dropped on their own (<see cref="SendResult.UnencodableSeries"/>); if none is left the batch is
    /// <see cref="DropReason.Unencodable"/>.
    /// </summary>
    public async Task<SendResult> SendAsync(IReadOnlyList<ForwardSeries> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (encoded, unencodable) = Encode(batch);
        if (encoded is null)
        {
            return new SendResult { Outcome = SendOutcome.Dropped, Reason = DropReason.Unencodable, UnencodableSeries = unencodable };
        }
        if (encoded.Series == 0) return new SendResult { Outcome = SendOutcome.Sent, UnencodableSeries = unencodable };

        var state = new RemoteWriteRequestState(encoded.Samples, encoded.Exemplars, cancellationToken);
        using var request = CreateRequest(encoded, state);
        var client = _httpClientFactory.CreateClient(_clientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested &&
                                  e is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            // Only reachable with MaxRetries set: otherwise these are retried until the caller cancels.
            return Drop(encoded, state, DropReason.RetriesExhausted, null, $"no answer after {state.Attempts} attempts: {e.Message}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return await AcknowledgedAsync(response, encoded, state).ConfigureAwait(false) with { UnencodableSeries = unencodable };
            }
            var body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
            return RemoteWriteResilience.IsRetryableStatus(status)
                ? Drop(encoded, state, DropReason.RetriesExhausted, status, $"HTTP {status} after {state.Attempts} attempts: {body}")
                : Drop(encoded, state, DropReason.Rejected, status, $"HTTP {status}: {body}");
        }
    }

    /// <summary>
    /// The batch as one request. When the encoder throws, each series is tried alone: those that fail alone can never be
    /// sent (an attempt would fail the same way every time, holding up the shard's queue for good), so they are dropped,
    /// counted (<c>reason="unencodable"</c>) and logged, and the rest goes; null when nothing is left. If every series
    /// encodes alone the failure is the batch's, not a series', and is thrown for the queue to retry.
    /// </summary>
    private (EncodedBatch? Encoded, int Unencodable) Encode(IReadOnlyList<ForwardSeries> batch)
    {
        try
        {
            return (RemoteWriteEncoder.Encode(batch, Endpoint.Protocol, Endpoint.SendExemplars), 0);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var sendable = new List<ForwardSeries>(batch.Count);
            foreach (var series in batch)
            {
                try
                {
                    RemoteWriteEncoder.Encode([series], Endpoint.Protocol, Endpoint.SendExemplars);
                    sendable.Add(series);
                }
                catch (Exception alone) when (alone is not OperationCanceledException)
                {
                    var exemplars = Endpoint.SendExemplars ? series.Block?.Exemplars ?? series.Exemplars.Length : 0;
                    _metrics.RecordDropped(Name, SendResult.ReasonTag(DropReason.Unencodable), series.SampleCount, exemplars,
                        series.HistogramCount);
                    _logger.LogError(alone,
                        "Remote write to {Endpoint}: a series cannot be encoded and is dropped ({Samples} samples, {Histograms} histograms, {Exemplars} exemplars): {Error}",
                        Name, series.SampleCount, series.HistogramCount, exemplars, alone.Message);
                }
            }
            if (sendable.Count == batch.Count) throw;
            var unencodable = batch.Count - sendable.Count;
            return sendable.Count == 0
                ? (null, unencodable)
                : (RemoteWriteEncoder.Encode(sendable, Endpoint.Protocol, Endpoint.SendExemplars), unencodable);
        }
    }

    private HttpRequestMessage CreateRequest(EncodedBatch encoded, RemoteWriteRequestState state)
    {
        var v2 = Endpoint.Protocol == RemoteWriteProtocol.V2;
        var content = new ByteArrayContent(encoded.Body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(v2 ? RemoteWriteEncoder.V2ContentType : RemoteWriteEncoder.V1ContentType);
        content.Headers.ContentEncoding.Add("snappy");
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation(VersionHeader, v2 ? RemoteWriteEncoder.V2Version : RemoteWriteEncoder.V1Version);
        foreach (var (name, value) in Endpoint.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) content.Headers.TryAddWithoutValidation(name, value);
        }
        request.Options.Set(RemoteWriteRequestState.Key, state);
        return request;
    }

    private async Task<SendResult> AcknowledgedAsync(HttpResponseMessage response, EncodedBatch encoded, RemoteWriteRequestState state)
    {
        var status = (int)response.StatusCode;
        if (Endpoint.Protocol != RemoteWriteProtocol.V2)
        {
            return Sent(encoded, state, status, null, null, null);
        }

        var samples = WrittenCount(response, SamplesWrittenHeader);
        var histograms = WrittenCount(response, HistogramsWrittenHeader);
        var exemplars = WrittenCount(response, ExemplarsWrittenHeader);
        if (samples is null && histograms is null && exemplars is null)
        {
            // Remote write 2.0: a 2xx without the written counts comes from a receiver that does not speak 2.0 (it
            // probably decoded the request as 1.0 and stored nothing); treat it as 415 Unsupported Media Type.
            var body = await ReadErrorBodyAsync(response, state.CallerToken).ConfigureAwait(false);
            return Drop(encoded, state, DropReason.Unsupported, status,
                $"HTTP {status} without {SamplesWrittenHeader} headers: the endpoint does not support remote write 2.0 " +
                $"(taken as 415 Unsupported Media Type; set Protocol to V1 for it): {body}");
        }
        if ((samples ?? 0) < encoded.Samples || (histograms ?? 0) < encoded.Histograms ||
            (Endpoint.SendExemplars && (exemplars ?? 0) < encoded.Exemplars))
        {
            // A 2xx is a full write by the spec; a receiver that says otherwise is logged, not retried (it said 2xx).
            _logger.LogWarning(
                "Remote write to {Endpoint} acknowledged {SamplesWritten} of {Samples} samples, {HistogramsWritten} of {Histograms} " +
                "native histograms and {ExemplarsWritten} of {Exemplars} exemplars",
                Name, samples ?? 0, encoded.Samples, histograms ?? 0, encoded.Histograms, exemplars ?? 0, encoded.Exemplars);
        }
        return Sent(encoded, state, status, samples, histograms, exemplars);
    }

    private SendResult Sent(EncodedBatch encoded, RemoteWriteRequestState state, int status, long? samplesWritten,
        long? histogramsWritten, long? exemplarsWritten)
    {
        _metrics.RecordSent(Name, encoded.Samples, encoded.Exemplars, encoded.HighestTimestampMs, encoded.Histograms);
        return new SendResult
        {
            Outcome = SendOutcome.Sent,
            StatusCode = status,
            Series = encoded.Series,
            Samples = encoded.Samples,
            Histograms = encoded.Histograms,
            Exemplars = encoded.Exemplars,
            Attempts = state.Attempts,
            SamplesWritten = samplesWritten,
            HistogramsWritten = histogramsWritten,
            ExemplarsWritten = exemplarsWritten,
        };
    }

    private SendResult Drop(EncodedBatch encoded, RemoteWriteRequestState state, DropReason reason, int? status, string error)
    {
        _metrics.RecordDropped(Name, SendResult.ReasonTag(reason), encoded.Samples, encoded.Exemplars, encoded.Histograms);
        _logger.LogError("Remote write to {Endpoint} dropped {Samples} samples, {Histograms} native histograms and {Exemplars} exemplars " +
                         "of {Series} series ({Reason}): {Error}",
            Name, encoded.Samples, encoded.Histograms, encoded.Exemplars, encoded.Series, SendResult.ReasonTag(reason), error);
        return new SendResult
        {
            Outcome = SendOutcome.Dropped,
            Reason = reason,
            StatusCode = status,
            Error = error,
            Series = encoded.Series,
            Samples = encoded.Samples,
            Histograms = encoded.Histograms,
            Exemplars = encoded.Exemplars,
            Attempts = state.Attempts,
        };
    }

    private static long? WrittenCount(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) &&
        long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : null;

    /// <summary>The start of a response body (at most <see cref="MaxErrorBodyBytes"/>), for logs; never throws.</summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBodyBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length &&
                   (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
            var truncated = length > MaxErrorBodyBytes;
            var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(length, MaxErrorBodyBytes)).Trim();
            return truncated ? text + "…" : text;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"(body unreadable: {e.Message})";
        }
    }

    private static string ProductVersion()
    {
        var assembly = typeof(RemoteWriteSender).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var plus = informational.IndexOf('+');
            return plus > 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString() ?? "0.0.0";
    }
}
