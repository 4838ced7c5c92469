using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansExemplars.Hosting.Health;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Silo.Health;

/// <summary>
/// Readiness, one check per <c>RemoteWrite:Endpoints:N</c> (named <c>remote-write:&lt;endpoint name&gt;</c>): the TSDB
/// answers HTTP at its write URL. A GET, no body, no credentials: any status (405, 400, 401…) proves the server is
/// there; refused or silent past <c>Health:Timeout</c> is unhealthy. Nothing is lost meanwhile (Kafka and the
/// forward queues hold the samples), but the silo is not doing its job.
/// </summary>
internal sealed class RemoteWriteEndpointHealthCheck(RemoteWriteEndpointOptions endpoint, IHttpClientFactory http, HealthProbeCache cache)
    : IHealthCheck
{
    public const string NamePrefix = "remote-write:";

    public static string NameOf(RemoteWriteEndpointOptions endpoint) =>
        NamePrefix + (string.IsNullOrWhiteSpace(endpoint.Name) ? RemoteWriteEndpointOptions.DefaultName(endpoint.Url) : endpoint.Name);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        cache.GetAsync(context.Registration.Name, ProbeAsync, cancellationToken);

    private Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken) =>
        HttpReachability.ProbeAsync(http.CreateClient(HttpReachability.HttpClientName), new Uri(endpoint.Url),
            "the remote-write endpoint", cancellationToken);
}
