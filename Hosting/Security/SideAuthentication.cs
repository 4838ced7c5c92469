using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Security;

/// <summary>Policy names, usable with <c>RequireAuthorization</c> and <c>RequireRateLimiting</c> alike.</summary>
public static class SecurityPolicies
{
    public const string Write = "write";
    public const string Read = "read";
    public const string Metrics = "metrics";
}

/// <summary>
/// The credential checks both hosts share — the API host's two sides, the silo's dashboard on the read side: the
/// <c>Auth</c> options checked at start, a bearer and a basic scheme per side, the failed-login limit, the bcrypt
/// cache, the metrics, and one Prometheus-style body for 401 and 429. (Compiled into the silo too.)
/// </summary>
public static class SideAuthentication
{
    public static IServiceCollection AddSideAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton(sp => new FailedLoginLimiter(
            sp.GetRequiredService<IOptions<AuthOptions>>().Value.FailedLogins, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AuthMetrics>();
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
        return services;
    }

    /// <summary>Authentication and authorization, after routing; the auth metrics exist from the start.</summary>
    public static WebApplication UseSideAuthentication(this WebApplication app)
    {
        // Made once the host has started — the metrics exporter listens by then — rather than by the first request with
        // credentials, so the counters are exported at 0 from the start.
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<AuthMetrics>());
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

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
