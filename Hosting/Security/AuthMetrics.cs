using System.Diagnostics.Metrics;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// What credential checks refused and cost, per side: failed logins, requests refused by the failed-login limit
/// before any check ran, bcrypt comparisons actually run (a cache hit runs none), and how many addresses the limit
/// tracks, so an operator sees a password flood and what it cost. Exported at 0 from the start. (Compiled into both
/// hosts: the silo's dashboard uses the read side.)
/// </summary>
public sealed class AuthMetrics
{
    public const string MeterName = "OrleansExemplars.Auth";

    private readonly Counter<long> _failures;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _bcrypt;

    public AuthMetrics(IMeterFactory meterFactory, FailedLoginLimiter limiter)
    {
        var meter = meterFactory.Create(MeterName);
        _failures = meter.CreateCounter<long>("oe_auth_failures",
            description: "Requests whose credentials were checked and found wrong (wrong password, unknown user or token, malformed header), by side.");
        _rateLimited = meter.CreateCounter<long>("oe_auth_rate_limited",
            description: "Requests refused with 429 by Auth:FailedLogins before their credentials were checked, by side.");
        _bcrypt = meter.CreateCounter<long>("oe_auth_bcrypt_verifications",
            description: "bcrypt comparisons run for basic auth (verifications not answered from the cache), by side.");
        meter.CreateObservableGauge("oe_auth_failed_login_clients", () => limiter.TrackedClients,
            description: "Client addresses the failed-login limit tracks (at most Auth:FailedLogins:MaxTrackedClients).");
        foreach (var side in new[] { AccessSide.Write, AccessSide.Read })
        {
            _failures.Add(0, Side(side));
            _rateLimited.Add(0, Side(side));
            _bcrypt.Add(0, Side(side));
        }
    }

    public void RecordFailure(AccessSide side) => _failures.Add(1, Side(side));

    public void RecordRateLimited(AccessSide side) => _rateLimited.Add(1, Side(side));

    public void RecordBcrypt(AccessSide side) => _bcrypt.Add(1, Side(side));

    private static KeyValuePair<string, object?> Side(AccessSide side) => new("side", side == AccessSide.Write ? "write" : "read");
}
