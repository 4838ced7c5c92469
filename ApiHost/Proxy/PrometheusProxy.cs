using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansExemplars.Hosting.Http;
using Yarp.ReverseProxy.Forwarder;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// Passes one request to the TSDB with YARP's <see cref="IHttpForwarder"/> (streamed both ways, upstream status and
/// headers kept). What YARP leaves to the caller is done here: the Prometheus error body when the upstream cannot be
/// reached (502 <c>unavailable</c>) or stays silent past <c>Query:UpstreamTimeout</c> (504 <c>timeout</c>).
/// </summary>
public sealed partial class PrometheusProxy : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly ILogger<PrometheusProxy> _logger;
    private readonly QueryProxyOptions _options;
    private readonly HttpMessageInvoker? _upstream;
    private readonly UpstreamRequestTransformer _transformer;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly string _destinationPrefix = "";

    public PrometheusProxy(IHttpForwarder forwarder, IOptions<QueryProxyOptions> options, ILogger<PrometheusProxy> logger)
    {
        _forwarder = forwarder;
        _logger = logger;
        _options = options.Value;
        _transformer = new UpstreamRequestTransformer(_options);
        _requestConfig = new ForwarderRequestConfig { ActivityTimeout = _options.UpstreamTimeout };
        if (_options.IsConfigured)
        {
            // RequestUtilities.MakeDestinationAddress appends the request path to the prefix: keep the upstream's own
            // path (e.g. /select/0/prometheus) without a trailing slash.
            _destinationPrefix = _options.UpstreamUrl!.Trim().TrimEnd('/');
            _upstream = new HttpMessageInvoker(new SocketsHttpHandler
            {
                // What YARP's direct-forwarding guide asks of the client: no proxy, redirects, decompression or cookies
                // of its own, so the upstream's answer reaches the caller as sent.
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                EnableMultipleHttp2Connections = true,
                ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
                ConnectTimeout = _options.UpstreamTimeout < TimeSpan.FromSeconds(10) ? _options.UpstreamTimeout : TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5), // follow DNS changes of the upstream
            }, disposeHandler: true);
        }
    }

    public bool IsConfigured => _upstream is not null;

    public async Task ForwardAsync(HttpContext http)
    {
        if (_upstream is null) throw new InvalidOperationException("Query:UpstreamUrl is not set.");
        var destination = _destinationPrefix;
        if (_options.HasTenantPath)
        {
            // The caller picks the tenant only because Query:TenantHeader says it may, and only as digits: nothing it
            // sends can add a path segment.
            var tenant = http.Request.Headers[_options.TenantHeader!];
            if (tenant.Count != 1 || tenant[0] is not { } id || !VictoriaMetricsTenant().IsMatch(id))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(PrometheusErrors.Body(PrometheusErrors.BadData,
                    $"the {_options.TenantHeader} header must name one tenant as accountID or accountID:projectID in " +
                    "digits (e.g. 42 or 42:7): Query:UpstreamUrl takes it in its path"), http.RequestAborted);
                return;
            }
            destination = _destinationPrefix.Replace(QueryProxyOptions.TenantPlaceholder, id, StringComparison.Ordinal);
        }
        var error = await _forwarder.SendAsync(http, destination, _upstream, _requestConfig, _transformer);
        if (error == ForwarderError.None) return;

        var exception = http.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away (Grafana cancels superseded queries): nobody to answer.
            _logger.LogDebug("Proxy request {Path} canceled by the client ({Error})", http.Request.Path, error);
            return;
        }
        _logger.LogWarning("Proxy request {Method} {Path} to the upstream {Upstream} failed: {Error} {Reason}",
            http.Request.Method, http.Request.Path, _destinationPrefix, error, exception?.Message);
        if (http.Response.HasStarted)
        {
            return; // YARP has aborted the half-sent answer; the client sees a truncated response.
        }

        var (status, errorType, message) = error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, PrometheusErrors.Timeout,
                $"the upstream {_destinationPrefix} did not answer within Query:UpstreamTimeout ({_options.UpstreamTimeout})"),
            ForwarderError.RequestBodyClient => (StatusCodes.Status400BadRequest, PrometheusErrors.BadData,
                $"reading the request body failed: {exception?.Message}"),
            _ => (StatusCodes.Status502BadGateway, PrometheusErrors.Unavailable,
                $"the upstream {_destinationPrefix} is unavailable ({error}): {Innermost(exception)}"),
        };
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(PrometheusErrors.Body(errorType, message), http.RequestAborted);
    }

    /// <summary>VictoriaMetrics' tenant: a 32-bit account id, optionally with a 32-bit project id.</summary>
    [GeneratedRegex(@"^[0-9]{1,10}(:[0-9]{1,10})?$", RegexOptions.CultureInvariant)]
    private static partial Regex VictoriaMetricsTenant();

    /// <summary>"Connection refused (127.0.0.1:8428)" rather than "An error occurred while sending the request."</summary>
    private static string Innermost(Exception? exception)
    {
        if (exception is null) return "no answer";
        while (exception.InnerException is not null) exception = exception.InnerException;
        return exception.Message;
    }

    public void Dispose() => _upstream?.Dispose();
}
