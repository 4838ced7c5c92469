using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// <c>Authorization: Basic base64(user:password)</c> against the side's bcrypt-hashed users, once the client address
/// has a failed-login token left (<see cref="FailedLoginThrottle"/>).
/// </summary>
public sealed class BasicAuthenticationHandler(IOptionsMonitor<SideSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, CredentialStore store, BcryptVerifier verifier, IOptions<AuthOptions> auth,
    FailedLoginLimiter limiter, AuthMetrics metrics)
    : AuthenticationHandler<SideSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credentials = store.For(Options.Side);
        if (!credentials.HasBasic || !AuthorizationHeader.TryGetParameter(Request, "Basic", out var encoded))
        {
            return AuthenticateResult.NoResult();
        }
        if (FailedLoginThrottle.Enter(Context, limiter, metrics, Options.Side) is { } refused) return refused;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(encoded));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return FailedLoginThrottle.Failed(metrics, Options.Side, "the basic credentials are not base64 of UTF-8 'user:password'");
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return FailedLoginThrottle.Failed(metrics, Options.Side, "the basic credentials have no ':' between user and password");
        var user = decoded[..colon];
        if (!await verifier.VerifyAsync(credentials, user, decoded[(colon + 1)..], Context.RequestAborted))
        {
            // The user name is not a secret (Prometheus logs it too); the password never appears anywhere.
            return FailedLoginThrottle.Failed(metrics, Options.Side, $"wrong user or password (user '{user}')");
        }
        FailedLoginThrottle.Passed(Context, limiter);
        return AuthenticateResult.Success(SideTicket.Create(Scheme.Name, Options.Side, "user:" + user));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, $"Basic realm=\"{auth.Value.Realm}\", charset=\"UTF-8\"");
        return Task.CompletedTask;
    }
}
