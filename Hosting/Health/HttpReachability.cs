using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansExemplars.Hosting.Health;

/// <summary>
/// Whether an HTTP server answers at all: any HTTP status (even 401, 404 or 5xx) means it is reachable; a refused
/// connection, a DNS failure or no answer within the timeout means it is not. One small GET, body not read.
/// </summary>
public static class HttpReachability
{
    /// <summary>The <see cref="IHttpClientFactory"/> client the checks use (no own timeout: the probe's token is it).</summary>
    public const string HttpClientName = "oe-health";

    public static async Task<HealthCheckResult> ProbeAsync(HttpClient http, Uri url, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var data = new Dictionary<string, object> { ["url"] = Shown(url, UriComponents.Path), ["status"] = (int)response.StatusCode };
            return HealthCheckResult.Healthy($"{what} answered HTTP {(int)response.StatusCode}", data);
        }
        catch (HttpRequestException e)
        {
            var reason = e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}";
            return HealthCheckResult.Unhealthy($"{what} at {Shown(url, 0)} is unreachable ({reason})", e);
        }
    }

    /// <summary>
    /// What a probe may show of <paramref name="url"/> to anyone who asks <c>/readyz</c>: scheme, host and port (and
    /// <paramref name="more"/>), never the user info or the query string, where credentials and tokens ride.
    /// </summary>
    public static string Shown(Uri url, UriComponents more) =>
        url.GetComponents(UriComponents.SchemeAndServer | more, UriFormat.UriEscaped);

    /// <summary>Registers <see cref="HttpClientName"/>: no cookies, no redirects followed, no client timeout of its own.</summary>
    public static IServiceCollection AddHealthHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName)
            .ConfigureHttpClient(http => http.Timeout = System.Threading.Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            });
        return services;
    }
}
