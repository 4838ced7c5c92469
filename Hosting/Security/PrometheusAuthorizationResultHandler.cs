using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OrleansExemplars.Hosting.Http;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Lets every scheme of the failed policy add its <c>WWW-Authenticate</c> challenge (ASP.NET Core's default handler
/// does that), then writes one Prometheus-style error body, as the API's other errors have. A request the failed-login
/// limit refused gets 429 with <c>Retry-After</c> instead, and no challenge: trying again now cannot succeed.
/// </summary>
public sealed class PrometheusAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = PrometheusErrors.Forbidden;

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy,
        PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded && context.Features.Get<FailedLoginThrottle.Refused>() is { } refused)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(refused.RetryAfter.TotalSeconds));
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(PrometheusErrors.Body(PrometheusErrors.Unavailable,
                $"too many failed logins from this client address: retry after {seconds} s (Auth:FailedLogins)"), context.RequestAborted);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
        if (context.Response.HasStarted || authorizeResult.Succeeded) return;
        var (type, message) = context.Response.StatusCode == StatusCodes.Status403Forbidden
            ? (Forbidden, "the credentials are valid but not allowed here")
            : (Unauthorized, "missing or invalid credentials (see the WWW-Authenticate header for the accepted schemes)");
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(PrometheusErrors.Body(type, message), context.RequestAborted);
    }
}
