using System.Net.Http.Headers;
using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// YARP's default request copy (method, path, query string, body) with the headers cut down to what a Prometheus query
/// needs: content negotiation, the user agent, trace context and the body's own headers. Everything else the caller
/// sent stays here: its <c>Authorization</c> (it is for this API host: passing it on would hand API-host credentials to
/// a third party), cookies, and any header an upstream could read as a choice of tenant or route (<c>X-Scope-OrgID</c>,
/// <c>THANOS-TENANT</c>…) unless <c>Query:TenantHeader</c> names it. The upstream's own host name goes in <c>Host</c>
/// and the configured upstream credentials in <c>Authorization</c>.
/// </summary>
public sealed class UpstreamRequestTransformer : HttpTransformer
{
    private static readonly string[] PassedHeaders =
    [
        "Accept", "Accept-Encoding", "Accept-Language", "Cache-Control", "User-Agent",
        "traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context",
    ];

    private readonly AuthenticationHeaderValue? _authorization;
    private readonly HashSet<string> _passed;

    public UpstreamRequestTransformer(QueryProxyOptions options)
    {
        _passed = new HashSet<string>(PassedHeaders, StringComparer.OrdinalIgnoreCase);
        if (options.HasTenantHeader) _passed.Add(options.TenantHeader!.Trim());
        if (!string.IsNullOrEmpty(options.UpstreamBearerToken))
        {
            _authorization = new AuthenticationHeaderValue("Bearer", options.UpstreamBearerToken);
        }
        else if (!string.IsNullOrEmpty(options.UpstreamUsername))
        {
            var pair = Encoding.UTF8.GetBytes(options.UpstreamUsername + ":" + options.UpstreamPassword);
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest,
        string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        // Content-* headers live on proxyRequest.Content and describe the body, which goes on unchanged.
        foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(n => !_passed.Contains(n)).ToList())
        {
            proxyRequest.Headers.Remove(name);
        }
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Authorization = _authorization;
    }
}
