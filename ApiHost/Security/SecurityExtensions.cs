using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.ApiHost.Security;

/// <summary>Policy names, usable with <c>RequireAuthorization</c> and <c>RequireRateLimiting</c> alike.</summary>
public static class SecurityPolicies
{
    public const string Write = "write";
    public const string Read = "read";
    public const string Metrics = "metrics";
}

/// <summary>
/// Wires auth and limits in. Endpoints join a side with one line: <c>.RequireWriteAccess()</c> or
/// <c>.RequireReadAccess()</c> on the endpoint or on a route group (credentials, rate limit and, on the read side,
/// the body limit).
/// </summary>
public static class SecurityExtensions
{
    public static WebApplicationBuilder AddExemplarSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<BcryptVerifier>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, PrometheusAuthorizationResultHandler>();

        var authentication = services.AddAuthentication();
        foreach (var side in new[] { AccessSide.Write, AccessSide.Read })
        {
            authentication.AddScheme<SideSchemeOptions, BearerAuthenticationHandler>(BearerScheme(side), o => o.Side = side);
            authentication.AddScheme<SideSchemeOptions, BasicAuthenticationHandler>(BasicScheme(side), o => o.Side = side);
        }
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<AuthOptions>>((o, auth) =>
        {
            o.AddPolicy(SecurityPolicies.Write, SidePolicy(auth.Value, AccessSide.Write));
            o.AddPolicy(SecurityPolicies.Read, SidePolicy(auth.Value, AccessSide.Read));
            o.AddPolicy(SecurityPolicies.Metrics, auth.Value.ProtectMetrics ? SidePolicy(auth.Value, AccessSide.Read) : Open());
        });
        services.AddSideRateLimits();
        return builder;
    }

    /// <summary>Authentication, authorization, rate limits, read body limit — in that order, after routing.</summary>
    public static WebApplication UseExemplarSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseReadRequestBodyLimit();
        return app;
    }

    public static TBuilder RequireWriteAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SecurityPolicies.Write).RequireRateLimiting(SecurityPolicies.Write);

    public static TBuilder RequireReadAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SecurityPolicies.Read).RequireRateLimiting(SecurityPolicies.Read)
            .WithMetadata(ReadRequestBodyLimit.Marker.Instance);

    /// <summary><c>/metrics</c>: open unless <c>Auth:ProtectMetrics</c>, then read-side credentials (no rate limit).</summary>
    public static TBuilder RequireMetricsAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SecurityPolicies.Metrics);

    public static string BearerScheme(AccessSide side) => side + "Bearer";

    public static string BasicScheme(AccessSide side) => side + "Basic";

    private static AuthorizationPolicy SidePolicy(AuthOptions auth, AccessSide side)
    {
        var o = auth.For(side);
        if (!o.IsProtected) return Open();
        var policy = new AuthorizationPolicyBuilder();
        if (o.HasBearer) policy.AddAuthenticationSchemes(BearerScheme(side));
        if (o.HasBasic) policy.AddAuthenticationSchemes(BasicScheme(side));
        return policy.RequireAuthenticatedUser().RequireClaim(SideTicket.SideClaim, side.ToString()).Build();
    }

    private static AuthorizationPolicy Open() => new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();
}
