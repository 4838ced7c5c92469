using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansExemplars.Hosting.Health;

namespace OrleansExemplars.ApiHost.Health;

/// <summary>
/// Readiness: the Orleans cluster answers this host's client. One cheap grain call (the management grain lists the
/// active silos) within <c>Health:Timeout</c>; no answer, an error or no active silo is unhealthy, since every
/// write and exemplar query needs the grains.
/// </summary>
internal sealed class OrleansClusterHealthCheck(IClusterClient client, HealthProbeCache cache) : IHealthCheck
{
    public const string Name = "orleans-cluster";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        cache.GetAsync(context.Registration.Name, ProbeAsync, cancellationToken);

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(cancellationToken);
        if (hosts.Count == 0) return HealthCheckResult.Unhealthy("the cluster answered but lists no active silo");
        var data = new Dictionary<string, object> { ["activeSilos"] = hosts.Count };
        return HealthCheckResult.Healthy($"{hosts.Count} active silo(s) answer", data);
    }
}
