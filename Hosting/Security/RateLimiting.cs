using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansExemplars.Hosting.Http;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// ASP.NET Core's rate limiter with one token-bucket policy per side. A client is its credential when the side has
/// auth (the limiter runs after authorization, so the principal is known), else its remote address. Rejections are
/// 429 with <c>Retry-After</c> (which Prometheus' remote-write client honours) and a Prometheus error body.
/// </summary>
public static class RateLimiting
{
    /// <summary>The limiter and its validated <c>RateLimit</c> options (checked at start-up, naming the key).</summary>
    public static IServiceCollection AddSideRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
            o.AddPolicy(SecurityPolicies.Write, http => Partition(http, AccessSide.Write));
            o.AddPolicy(SecurityPolicies.Read, http => Partition(http, AccessSide.Read));
        });
        return services;
    }

    /// <summary>
    /// The write side's credentials (<c>Auth:Write</c>) and rate limit (<c>RateLimit:Write</c>) on an endpoint or route
    /// group: what both hosts put in front of <c>/api/v1/write</c> and OTLP.
    /// </summary>
    public static TBuilder RequireWriteAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(SecurityPolicies.Write).RequireRateLimiting(SecurityPolicies.Write);

    private static RateLimitPartition<string> Partition(HttpContext http, AccessSide side)
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.For(side);
        if (!limit.Enabled) return RateLimitPartition.GetNoLimiter("");
        // Names are "token:<sha256 prefix>" or "user:<name>": never a secret.
        var client = http.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? name
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.BucketSize,
            TokensPerPeriod = limit.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var response = context.HttpContext.Response;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "application/json";
        await response.WriteAsync(PrometheusErrors.Body(PrometheusErrors.Unavailable,
            $"rate limit exceeded for this client; retry after {seconds} s"), ct);
    }
}
