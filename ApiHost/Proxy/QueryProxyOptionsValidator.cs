using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// What data annotations cannot say about <see cref="QueryProxyOptions"/>; every message names its key. A value that
/// may hold a secret (a URL with user info, a token) is never repeated in a message.
/// </summary>
public sealed partial class QueryProxyOptionsValidator : IValidateOptions<QueryProxyOptions>
{
    /// <summary>Stands in for the tenant while the URL is checked; it must end up in the path and nowhere else.</summary>
    private const string SampleTenant = "oe-tenant-placeholder";

    /// <summary>Headers a tenant header must not be: they mean something else to the proxy or to HTTP.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Host", "Connection", "Content-Length", "Content-Type",
        "Transfer-Encoding", "Accept", "Accept-Encoding", "User-Agent",
    };

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();

    public ValidateOptionsResult Validate(string? name, QueryProxyOptions options)
    {
        var failures = new List<string>();
        if (options.IsConfigured)
        {
            var url = options.UpstreamUrl!.Trim().Replace(QueryProxyOptions.TenantPlaceholder, SampleTenant, StringComparison.Ordinal);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add("Query:UpstreamUrl must be an absolute http:// or https:// URL such as http://victoriametrics:8428.");
            }
            else if (uri.UserInfo.Length > 0)
            {
                failures.Add("Query:UpstreamUrl must not carry credentials: set Query:UpstreamUsername and Query:UpstreamPassword instead.");
            }
            else if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                failures.Add($"Query:UpstreamUrl must be a base URL without query or fragment (got '{options.UpstreamUrl}').");
            }
            else if (options.HasTenantPath &&
                     (!uri.AbsolutePath.Contains(SampleTenant, StringComparison.Ordinal) || uri.Host.Contains(SampleTenant, StringComparison.Ordinal)))
            {
                failures.Add($"Query:UpstreamUrl may hold {QueryProxyOptions.TenantPlaceholder} only in its path (e.g. http://vmselect:8481/select/{QueryProxyOptions.TenantPlaceholder}/prometheus).");
            }
            if (options.HasTenantPath && !options.HasTenantHeader)
            {
                failures.Add($"Query:UpstreamUrl holds {QueryProxyOptions.TenantPlaceholder} but Query:TenantHeader is not set: name the request header that carries the tenant (e.g. X-Scope-OrgID).");
            }
        }
        else if (options.UpstreamBearerToken is { Length: > 0 } || options.UpstreamUsername is { Length: > 0 })
        {
            failures.Add("Query:UpstreamBearerToken / Query:UpstreamUsername are set but Query:UpstreamUrl is not.");
        }
        if (options.HasTenantHeader && (!HeaderName().IsMatch(options.TenantHeader!) || ReservedHeaders.Contains(options.TenantHeader!)))
        {
            failures.Add("Query:TenantHeader must be the name of a tenant header such as X-Scope-OrgID or THANOS-TENANT (a header name of its own, not Authorization, Host, Cookie or a content header).");
        }

        var bearer = !string.IsNullOrEmpty(options.UpstreamBearerToken);
        var user = !string.IsNullOrEmpty(options.UpstreamUsername);
        var password = !string.IsNullOrEmpty(options.UpstreamPassword);
        if (bearer && (user || password))
        {
            failures.Add("Query:UpstreamBearerToken and Query:UpstreamUsername/Query:UpstreamPassword are exclusive: set one of them.");
        }
        if (password && !user)
        {
            failures.Add("Query:UpstreamPassword is set without Query:UpstreamUsername.");
        }
        if (user && options.UpstreamUsername!.Contains(':', StringComparison.Ordinal))
        {
            failures.Add("Query:UpstreamUsername must not contain ':' (basic auth separates user and password with it).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
