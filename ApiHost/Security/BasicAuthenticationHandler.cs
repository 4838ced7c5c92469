using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansExemplars.ApiHost.Security;

/// <summary><c>Authorization: Basic base64(user:password)</c> against the side's bcrypt-hashed users.</summary>
public sealed class BasicAuthenticationHandler(IOptionsMonitor<SideSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, CredentialStore store, BcryptVerifier verifier, IOptions<AuthOptions> auth)
    : AuthenticationHandler<SideSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credentials = store.For(Options.Side);
        if (!credentials.HasBasic || !AuthorizationHeader.TryGetParameter(Request, "Basic", out var encoded))
        {
            return AuthenticateResult.NoResult();
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(encoded));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return AuthenticateResult.Fail("the basic credentials are not base64 of UTF-8 'user:password'");
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return AuthenticateResult.Fail("the basic credentials have no ':' between user and password");
        var user = decoded[..colon];
        if (!await verifier.VerifyAsync(credentials, user, decoded[(colon + 1)..], Context.RequestAborted))
        {
            // The user name is not a secret (Prometheus logs it too); the password never appears anywhere.
            return AuthenticateResult.Fail($"wrong user or password (user '{user}')");
        }
        return AuthenticateResult.Success(SideTicket.Create(Scheme.Name, Options.Side, "user:" + user));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, $"Basic realm=\"{auth.Value.Realm}\", charset=\"UTF-8\"");
        return Task.CompletedTask;
    }
}
