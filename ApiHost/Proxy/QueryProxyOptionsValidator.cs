using Microsoft.Extensions.Options;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// What data annotations cannot say about <see cref="QueryProxyOptions"/>; every message names its key. A value that
/// may hold a secret (a URL with user info, a token) is never repeated in a message.
/// </summary>
public sealed class QueryProxyOptionsValidator : IValidateOptions<QueryProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryProxyOptions options)
    {
        var failures = new List<string>();
        if (options.IsConfigured)
        {
            var url = options.UpstreamUrl!.Trim();
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
                failures.Add($"Query:UpstreamUrl must be a base URL without query or fragment (got '{url}').");
            }
        }
        else if (options.UpstreamBearerToken is { Length: > 0 } || options.UpstreamUsername is { Length: > 0 })
        {
            failures.Add("Query:UpstreamBearerToken / Query:UpstreamUsername are set but Query:UpstreamUrl is not.");
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
