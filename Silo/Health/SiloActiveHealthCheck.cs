using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansExemplars.Silo.Health;

/// <summary>
/// Readiness: this silo is Active in the cluster's membership (joined, not starting, stopping or declared dead).
/// Local state only, so not cached.
/// </summary>
internal sealed class SiloActiveHealthCheck(ISiloStatusOracle membership) : IHealthCheck
{
    public const string Name = "silo";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentStatus;
        var data = new Dictionary<string, object> { ["silo"] = membership.SiloName, ["status"] = status.ToString() };
        var active = membership.GetApproximateSiloStatuses(onlyActive: true).Count;
        data["activeSilos"] = active;
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {membership.SiloName} is Active ({active} active in the cluster)", data)
            : HealthCheckResult.Unhealthy($"silo {membership.SiloName} is {status}, not Active", data: data));
    }
}
