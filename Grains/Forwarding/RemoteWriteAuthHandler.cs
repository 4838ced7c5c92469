using System.Net.Http.Headers;
using System.Text;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// Sets an endpoint's <c>Authorization</c> header on every attempt: basic auth or a bearer token, from the
/// configuration or from a file. Files are read at every attempt (a few hundred bytes; no caching), so a rotated token
/// or password is used from the next attempt on, even by a batch that is being retried. A file that cannot be read
/// fails the attempt with an <see cref="HttpRequestException"/>, which is retried like a network error.
/// </summary>
internal sealed class RemoteWriteAuthHandler(RemoteWriteEndpointOptions endpoint) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Authorization() is { } authorization) request.Headers.Authorization = authorization;
        return base.SendAsync(request, cancellationToken);
    }

    private AuthenticationHeaderValue? Authorization()
    {
        if (!string.IsNullOrEmpty(endpoint.BasicAuthUsername))
        {
            var password = !string.IsNullOrEmpty(endpoint.BasicAuthPasswordFile)
                ? ReadSecret(endpoint.BasicAuthPasswordFile, "basic-auth password")
                : endpoint.BasicAuthPassword ?? "";
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{endpoint.BasicAuthUsername}:{password}"));
            return new AuthenticationHeaderValue("Basic", credentials);
        }
        if (!string.IsNullOrEmpty(endpoint.BearerTokenFile))
        {
            return new AuthenticationHeaderValue("Bearer", ReadSecret(endpoint.BearerTokenFile, "bearer token"));
        }
        if (!string.IsNullOrEmpty(endpoint.BearerToken))
        {
            return new AuthenticationHeaderValue("Bearer", endpoint.BearerToken);
        }
        return null;
    }

    private static string ReadSecret(string path, string what)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HttpRequestException($"cannot read the {what} file \"{path}\": {e.Message}", e);
        }
    }
}
