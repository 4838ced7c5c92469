using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansExemplars.ApiHost.Security;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> against the side's tokens. The challenge only adds its
/// <c>WWW-Authenticate</c> value; <see cref="PrometheusAuthorizationResultHandler"/> writes the body once for all schemes.
/// </summary>
public sealed class BearerAuthenticationHandler(IOptionsMonitor<SideSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, CredentialStore store, IOptions<AuthOptions> auth)
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
        if (!credentials.TryMatchToken(token, out var id))
        {
            _presentedWrongToken = true;
            return Task.FromResult(AuthenticateResult.Fail("the bearer token is not one of this side's tokens"));
        }
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
