using OrleansExemplars.Hosting.Security;

namespace OrleansExemplars.ApiHost.Security;

/// <summary>
/// Wires auth and limits in. Endpoints join a side with one line: <c>.RequireWriteAccess()</c> (Hosting's, shared with
/// the silo) or <c>.RequireReadAccess()</c> on the endpoint or on a route group (credentials, rate limit and, on the read
/// side, the body limit).
/// </summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddExemplarSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSideAuthentication(builder.Configuration);
        services.AddSideRateLimits(builder.Configuration); // RateLimit:*, shared with the silo's write endpoints
        return builder;
    }

    /// <summary>Authentication, authorization, rate limits, read body limit — in that order, after routing.</summary>
    public static WebApplication UseExemplarSecurity(this WebApplication app)
    {
        app.UseSideAuthentication();
        app.UseRateLimiter();
        app.UseReadRequestBodyLimit();
        return app;
    }

    public static TBuilder RequireReadAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SecurityPolicies.Read).RequireRateLimiting(SecurityPolicies.Read)
            .WithMetadata(ReadRequestBodyLimit.Marker.Instance);

    /// <summary><c>/metrics</c>: open unless <c>Auth:ProtectMetrics</c>, then read-side credentials (no rate limit).</summary>
    public static TBuilder RequireMetricsAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SecurityPolicies.Metrics);
}
