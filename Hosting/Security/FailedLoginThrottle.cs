using Microsoft.AspNetCore.Authentication;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Where the authentication handlers consult <see cref="FailedLoginLimiter"/>: a request carrying credentials takes a
/// token first; without one it is marked throttled, and <see cref="PrometheusAuthorizationResultHandler"/> answers it
/// 429 with <c>Retry-After</c> instead of a 401 challenge.
/// </summary>
public static class FailedLoginThrottle
{
    /// <summary>The request was refused before its credentials were checked.</summary>
    public sealed record Refused(TimeSpan RetryAfter);

    /// <summary>Null when the check may run; else the result the handler returns.</summary>
    public static AuthenticateResult? Enter(HttpContext context, FailedLoginLimiter limiter, AuthMetrics metrics, AccessSide side)
    {
        if (limiter.TryAcquire(context.Connection.RemoteIpAddress, out var retryAfter)) return null;
        context.Features.Set(new Refused(retryAfter));
        metrics.RecordRateLimited(side);
        return AuthenticateResult.Fail("too many failed logins from this client address; its credentials were not checked");
    }

    /// <summary>The credentials were right: the check gives its token back.</summary>
    public static void Passed(HttpContext context, FailedLoginLimiter limiter) => limiter.Release(context.Connection.RemoteIpAddress);

    public static AuthenticateResult Failed(AuthMetrics metrics, AccessSide side, string reason)
    {
        metrics.RecordFailure(side);
        return AuthenticateResult.Fail(reason);
    }
}
