using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace OrleansExemplars.Hosting.Security;

/// <summary>Which side a scheme's handler checks credentials for.</summary>
public sealed class SideSchemeOptions : AuthenticationSchemeOptions
{
    public AccessSide Side { get; set; }
}

public static class SideTicket
{
    public const string SideClaim = "oe_side";

    public static AuthenticationTicket Create(string scheme, AccessSide side, string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(SideClaim, side.ToString())], scheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), scheme);
    }
}

public static class AuthorizationHeader
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
