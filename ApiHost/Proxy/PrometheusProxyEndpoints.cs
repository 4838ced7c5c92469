using System.Diagnostics;
using OrleansExemplars.ApiHost.Query;
using OrleansExemplars.Hosting.Http;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// <c>/api/v1/{**path}</c>: the Prometheus read API this host does not answer itself goes to <c>Query:UpstreamUrl</c>
/// (<see cref="ReadOnlyPrometheusApi"/>); any other path is 403 and another method 405, never passed on.
/// Literal routes win over this catch-all in ASP.NET Core routing, so <c>POST /api/v1/write</c> and
/// <c>GET|POST /api/v1/query_exemplars</c> stay local; another method on those two paths reaches this endpoint and
/// gets 405 (it is not passed on: they are local paths).
/// </summary>
public static class PrometheusProxyEndpoints
{
    private static readonly Dictionary<string, string> LocalPaths = new(StringComparer.OrdinalIgnoreCase)
    {
        ["write"] = HttpMethods.Post,
        ["query_exemplars"] = $"{HttpMethods.Get}, {HttpMethods.Post}",
    };

    public static RouteGroupBuilder MapPrometheusProxy(this RouteGroupBuilder group)
    {
        group.Map("/{**path}", HandleAsync).WithDisplayName("Prometheus API proxy");
        return group;
    }

    private static async Task HandleAsync(HttpContext http, string? path, PrometheusProxy proxy, ApiMetrics metrics)
    {
        if (path is not null && LocalPaths.TryGetValue(path.TrimEnd('/'), out var allowed))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = allowed;
            return;
        }
        var requestPath = http.Request.Path.Value ?? "";
        switch (ReadOnlyPrometheusApi.Check(http.Request.Method, requestPath))
        {
            case ReadOnlyPrometheusApi.Verdict.PathRefused:
                await RefuseAsync(http, StatusCodes.Status403Forbidden, PrometheusErrors.Forbidden,
                    $"{requestPath} is not passed to the TSDB: the proxy is read-only and passes only the Prometheus read " +
                    $"API under /api/v1/ ({ReadOnlyPrometheusApi.Description}); write, import and admin calls go to the " +
                    "TSDB directly");
                return;
            case ReadOnlyPrometheusApi.Verdict.MethodRefused:
                http.Response.Headers.Allow = ReadOnlyPrometheusApi.AllowedMethods;
                await RefuseAsync(http, StatusCodes.Status405MethodNotAllowed, PrometheusErrors.BadData,
                    $"method {http.Request.Method} is not allowed on {requestPath}: the proxy is read-only " +
                    $"({ReadOnlyPrometheusApi.AllowedMethods})");
                return;
        }
        if (!proxy.IsConfigured)
        {
            // 404, not 5xx: nothing is down, this host simply does not serve the path (as Prometheus answers a path it
            // does not know). A 502/503 would make Grafana and probes report an outage and retry a setting.
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(PrometheusErrors.Body(PrometheusErrors.NotFound,
                $"{http.Request.Path} is not served here: the Prometheus API proxy is not configured (set Query:UpstreamUrl, " +
                "e.g. Query__UpstreamUrl=http://victoriametrics:8428); only /api/v1/query_exemplars and /api/v1/write " +
                "are answered by this host itself"), http.RequestAborted);
            return;
        }
        // oe_query_proxy_duration_seconds: until the upstream's answer (or our 502/504) is streamed back.
        var started = Stopwatch.GetTimestamp();
        try
        {
            await proxy.ForwardAsync(http);
        }
        finally
        {
            metrics.RecordProxied(http.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }

    private static Task RefuseAsync(HttpContext http, int status, string errorType, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(PrometheusErrors.Body(errorType, message), http.RequestAborted);
    }
}
