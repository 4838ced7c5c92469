using System.Net.Http.Headers;
using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// YARP's default request copy (method, path, query string, body, headers without hop-by-hop ones) with three changes:
/// the upstream's own host name in <c>Host</c>; the caller's <c>Authorization</c> dropped (it is for this API host:
/// passing it on would hand API-host credentials to a third party); the configured upstream credentials added.
/// </summary>
public sealed class UpstreamRequestTransformer : HttpTransformer
{
    private readonly AuthenticationHeaderValue? _authorization;

    public UpstreamRequestTransformer(QueryProxyOptions options)
    {
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
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Authorization = _authorization;
    }
}
