using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Tests.Support;

/// <summary>One answer of a <see cref="LoopbackRemoteWriteReceiver"/>.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Body">Response body (text), if any.</param>
/// <param name="Headers">Extra response headers.</param>
/// <param name="Delay">Wait before answering (to make an attempt time out).</param>
/// <param name="WrittenHeaders">For a 2.0 request, whether to add the <c>X-Prometheus-Remote-Write-*-Written</c> counts.</param>
/// <param name="RetryAfterDateIn">Adds <c>Retry-After</c> as an HTTP date this far after the moment of answering.</param>
public sealed record ScriptedResponse(
    int Status,
    string? Body = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan Delay = default,
    bool WrittenHeaders = true,
    TimeSpan? RetryAfterDateIn = null)
{
    public static readonly ScriptedResponse NoContent = new(204);

    public static ScriptedResponse RetryAfterSeconds(int status, int seconds) =>
        new(status, Headers: new Dictionary<string, string> { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) });
}

/// <summary>
/// A request the receiver got: headers, raw body, when it decodes the decoded request of either version, and the status
/// it was answered with.
/// </summary>
public sealed record ReceivedWrite(
    long Timestamp,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    V1.WriteRequest? V1,
    V2.Request? V2,
    IReadOnlyList<ForwardSeries> Series,
    string? DecodeError,
    int Status)
{
    /// <summary>A header's value (values joined by ", "), or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Time from <paramref name="earlier"/>'s arrival to this one's.</summary>
    public TimeSpan Since(ReceivedWrite earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp);
}

/// <summary>
/// A real remote-write receiver on 127.0.0.1 (Kestrel): records every request (headers and decoded body, 1.0 or 2.0
/// as its Content-Type says) and answers with a scripted sequence of responses, then <see cref="DefaultResponse"/>.
/// 2.0 requests get correct <c>X-Prometheus-Remote-Write-*-Written</c> headers unless the response says otherwise.
/// </summary>
public sealed class LoopbackRemoteWriteReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<ScriptedResponse> _script = new();
    private readonly List<ReceivedWrite> _received = [];
    private readonly SemaphoreSlim _arrivals = new(0);

    private LoopbackRemoteWriteReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The write URL (<c>/api/v1/write</c>); any path is accepted.</summary>
    public Uri Url => new(BaseAddress, "/api/v1/write");

    public int Port => BaseAddress.Port;

    /// <summary>The answer once the script is used up.</summary>
    public ScriptedResponse DefaultResponse { get; set; } = ScriptedResponse.NoContent;

    public static async Task<LoopbackRemoteWriteReceiver> StartAsync(int port = 0, params ScriptedResponse[] script)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new LoopbackRemoteWriteReceiver(app);
        receiver.Enqueue(script);
        app.Run(receiver.HandleAsync);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    public void Enqueue(params ScriptedResponse[] responses)
    {
        lock (_script)
        {
            foreach (var r in responses) _script.Enqueue(r);
        }
    }

    public IReadOnlyList<ReceivedWrite> Requests
    {
        get { lock (_received) return _received.ToArray(); }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWrite>> WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Requests.Count < count)
        {
            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero || !await _arrivals.WaitAsync(left))
            {
                throw new TimeoutException($"expected {count} remote-write requests within {timeout}, got {Requests.Count}");
            }
        }
        return Requests;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var timestamp = Stopwatch.GetTimestamp();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var contentType = context.Request.ContentType;
        V1.WriteRequest? v1 = null;
        V2.Request? v2 = null;
        IReadOnlyList<ForwardSeries> series = [];
        string? error = null;
        try
        {
            if (RemoteWriteDecoder.IsV2ContentType(contentType))
            {
                v2 = RemoteWriteDecoder.DecodeHttpBodyV2(body, context.Request.Headers.ContentEncoding, int.MaxValue);
                series = ToSeries(v2);
            }
            else
            {
                v1 = RemoteWriteDecoder.DecodeHttpBody(body, context.Request.Headers.ContentEncoding, int.MaxValue);
                series = ToSeries(v1);
            }
        }
        catch (Exception e)
        {
            error = e.Message;
        }

        ScriptedResponse response;
        lock (_script) response = _script.Count > 0 ? _script.Dequeue() : DefaultResponse;
        lock (_received)
        {
            _received.Add(new ReceivedWrite(timestamp, context.Request.Method, context.Request.Path.Value ?? "", headers,
                body, v1, v2, series, error, response.Status));
        }
        _arrivals.Release();
        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the sender gave up on this attempt
            }
        }

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        if (response.RetryAfterDateIn is { } after)
        {
            context.Response.Headers.RetryAfter = (DateTimeOffset.UtcNow + after).ToString("R", CultureInfo.InvariantCulture);
        }
        if (v2 is not null && response.WrittenHeaders)
        {
            var samples = v2.Timeseries.Sum(ts => ts.Samples.Count);
            var histograms = v2.Timeseries.Sum(ts => ts.Histograms.Count);
            var exemplars = v2.Timeseries.Sum(ts => ts.Exemplars.Count);
            context.Response.Headers["X-Prometheus-Remote-Write-Samples-Written"] = samples.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-Prometheus-Remote-Write-Histograms-Written"] = histograms.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-Prometheus-Remote-Write-Exemplars-Written"] = exemplars.ToString(CultureInfo.InvariantCulture);
        }
        if (response.Body is { } text)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(text, Encoding.UTF8);
        }
    }

    /// <summary>A 1.0 request as <see cref="ForwardSeries"/> (exemplar timestamp 0 = none), decoded independently of the sender.</summary>
    public static IReadOnlyList<ForwardSeries> ToSeries(V1.WriteRequest request) =>
        request.Timeseries.Select(ts => new ForwardSeries(
            Labels(ts.Labels.Select(l => (l.Name.ToStringUtf8(), l.Value.ToStringUtf8()))),
            ts.Samples.Select(s => new Sample(s.Value, s.Timestamp)).ToArray(),
            ts.Exemplars.Select(e => new Exemplar(Labels(e.Labels.Select(l => (l.Name.ToStringUtf8(), l.Value.ToStringUtf8()))),
                e.Value, e.Timestamp, e.Timestamp != 0)).ToArray(),
            ts.Histograms.Select(HistogramProtos.FromV1).ToArray())).ToList();

    /// <summary>A 2.0 request as <see cref="ForwardSeries"/>, resolving symbol references.</summary>
    public static IReadOnlyList<ForwardSeries> ToSeries(V2.Request request)
    {
        var symbols = request.Symbols.Select(s => s.ToStringUtf8()).ToArray();
        IEnumerable<(string, string)> Pairs(IList<uint> refs)
        {
            for (var i = 0; i + 1 < refs.Count; i += 2) yield return (symbols[refs[i]], symbols[refs[i + 1]]);
        }
        return request.Timeseries.Select(ts => new ForwardSeries(
            Labels(Pairs(ts.LabelsRefs)),
            ts.Samples.Select(s => new Sample(s.Value, s.Timestamp)).ToArray(),
            ts.Exemplars.Select(e => new Exemplar(Labels(Pairs(e.LabelsRefs)), e.Value, e.Timestamp, e.Timestamp != 0))
                .ToArray(),
            ts.Histograms.Select(HistogramProtos.FromV2).ToArray(),
            ts.Samples.Select(s => s.StartTimestamp).ToArray())).ToList();
    }

    private static LabelSet Labels(IEnumerable<(string Name, string Value)> pairs) => LabelSet.From(pairs.ToArray());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrivals.Dispose();
    }
}
