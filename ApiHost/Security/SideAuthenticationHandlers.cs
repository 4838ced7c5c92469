using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansExemplars.ApiHost.Security;

/// <summary>Which side a scheme's handler checks credentials for.</summary>
public sealed class SideSchemeOptions : AuthenticationSchemeOptions
{
    public AccessSide Side { get; set; }
}

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

internal static class SideTicket
{
    public const string SideClaim = "oe_side";

    public static AuthenticationTicket Create(string scheme, AccessSide side, string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(SideClaim, side.ToString())], scheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), scheme);
    }
}

internal static class AuthorizationHeader
{
    /// <summary>The parameter of an <c>Authorization</c> header of the given scheme (scheme name case-insensitive).</summary>
    public static bool TryGetParameter(HttpRequest request, string scheme, out string parameter)
    {
        parameter = "";
        foreach (var value in request.Headers.Authorization)
        {
            if (value is null || value.Length <= scheme.Length || value[scheme.Length] != ' ' ||
                !value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            parameter = value[(scheme.Length + 1)..].Trim();
            return parameter.Length > 0;
        }
        return false;
    }
}
