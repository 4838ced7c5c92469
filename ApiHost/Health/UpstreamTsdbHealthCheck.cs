using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Proxy;
using OrleansExemplars.Hosting.Health;

namespace OrleansExemplars.ApiHost.Health;

/// <summary>
/// Readiness (only with <c>Query:UpstreamUrl</c> set): the TSDB the Prometheus API is proxied to answers HTTP at all.
/// One GET of the upstream URL, credentials not sent: any status counts as reachable (a 401 or 404 still means the
/// server is there); refused, unresolvable or silent past <c>Health:Timeout</c> is unhealthy, because every proxied
/// query would then fail with 502/504.
/// </summary>
internal sealed class UpstreamTsdbHealthCheck(IOptions<QueryProxyOptions> options, IHttpClientFactory http, HealthProbeCache cache)
    : IHealthCheck
{
    public const string Name = "upstream-tsdb";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        cache.GetAsync(context.Registration.Name, ProbeAsync, cancellationToken);

    private Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured) return Task.FromResult(HealthCheckResult.Healthy("no upstream configured (Query:UpstreamUrl)"));
        return HttpReachability.ProbeAsync(http.CreateClient(HttpReachability.HttpClientName), new Uri(options.Value.UpstreamUrl!),
            "the upstream TSDB (Query:UpstreamUrl)", cancellationToken);
    }
}
