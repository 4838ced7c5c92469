using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>A request as the upstream received it.</summary>
public sealed record UpstreamRequest(string Method, string Path, string QueryString,
    IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel) standing in for a TSDB where the test needs to see what arrived
/// (headers, credentials) or to script an answer VictoriaMetrics would not give (a slow or streamed one).
/// </summary>
public sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<UpstreamRequest> _requests = [];

    private LoopbackUpstream(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>How the next requests are answered (default: 200 <c>{"status":"success","data":[]}</c>).</summary>
    public Func<HttpContext, Task> Respond { get; set; } = DefaultAnswer;

    public IReadOnlyList<UpstreamRequest> Requests { get { lock (_requests) return _requests.ToArray(); } }

    public static async Task<LoopbackUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LoopbackUpstream? upstream = null;
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            lock (upstream!._requests)
            {
                upstream._requests.Add(new UpstreamRequest(http.Request.Method, http.Request.Path.Value ?? "",
                    http.Request.QueryString.Value ?? "", headers, body.ToArray()));
            }
            await upstream.Respond(http);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream = new LoopbackUpstream(app, new Uri(address));
        return upstream;
    }

    public static Task DefaultAnswer(HttpContext http)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync("{\"status\":\"success\",\"data\":[]}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
