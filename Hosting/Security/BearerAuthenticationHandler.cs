using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> against the side's tokens, once the client address has a failed-login
/// token left (a wrong token is a failed login: tokens can be guessed too). The challenge only adds its
/// <c>WWW-Authenticate</c> value; <see cref="PrometheusAuthorizationResultHandler"/> writes the body once for all schemes.
/// </summary>
public sealed class BearerAuthenticationHandler(IOptionsMonitor<SideSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, CredentialStore store, IOptions<AuthOptions> auth, FailedLoginLimiter limiter, AuthMetrics metrics)
    : AuthenticationHandler<SideSchemeOptions>(options, logger, encoder)
{
    private bool _presentedWrongToken;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credentials = store.For(Options.Side);
        if (!credentials.HasBearer || !AuthorizationHeader.TryGetParameter(Request, "Bearer", out var token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (FailedLoginThrottle.Enter(Context, limiter, metrics, Options.Side) is { } refused) return Task.FromResult(refused);
        if (!credentials.TryMatchToken(token, out var id))
        {
            _presentedWrongToken = true;
            return Task.FromResult(FailedLoginThrottle.Failed(metrics, Options.Side, "the bearer token is not one of this side's tokens"));
        }
        FailedLoginThrottle.Passed(Context, limiter);
        return Task.FromResult(AuthenticateResult.Success(SideTicket.Create(Scheme.Name, Options.Side, id)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var challenge = $"Bearer realm=\"{auth.Value.Realm}\"";
        if (_presentedWrongToken) challenge += ", error=\"invalid_token\"";
        Response.Headers.Append(HeaderNames.WWWAuthenticate, challenge);
        return Task.CompletedTask;
    }
}
