using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Hosting.Health;

namespace OrleansExemplars.Silo.Health;

/// <summary>
/// Readiness: this silo's exemplar WAL directory (<c>Wal:Directory</c>/&lt;run&gt;) is open, the log's last write did
/// not fail (or a probe since did not: the log re-probes a failed disk every second) and the directory takes a write.
/// Every acknowledged exemplar is logged there first: a full, failing or read-only disk fails every write. Healthy when
/// the WAL is off (<c>Wal:Enabled=false</c>).
/// </summary>
internal sealed class WalDirectoryHealthCheck(SiloExemplarWal log, HealthProbeCache cache) : IHealthCheck
{
    public const string Name = "wal";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        cache.GetAsync(context.Registration.Name, ProbeAsync, cancellationToken);

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!log.Enabled) return HealthCheckResult.Healthy("the exemplar WAL is off (Wal:Enabled=false)");
        if (log.DirectoryPath is not { } directory) return HealthCheckResult.Unhealthy("the exemplar WAL is not open (silo starting or stopping)");
        var data = new Dictionary<string, object> { ["directory"] = directory };
        if (log.Fault is { } fault)
        {
            data["since"] = fault.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            return HealthCheckResult.Unhealthy($"the exemplar WAL in {directory} cannot write: {fault.Message}", fault.Error, data);
        }
        await WritableDirectory.ProbeAsync(directory, "health-probe.tmp", cancellationToken);
        return HealthCheckResult.Healthy($"WAL directory {directory} is writable", data);
    }
}
