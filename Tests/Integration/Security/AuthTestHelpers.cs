using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Security;

internal static class AuthTestHelpers
{
    /// <summary>A <c>$2y$</c> hash (the form htpasswd and Prometheus' docs use), cost 4 to keep tests fast.</summary>
    public static string Bcrypt(string password) =>
        BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(4, 'y'));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static async Task<HttpResponseMessage> WriteAsync(ExemplarSystem system, AuthenticationHeaderValue? auth,
        string metric = "auth_metric")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/write")
        {
            Content = SnappyContent(Request(Series(("__name__", metric)).WithSample(1, 1000)
                .WithExemplar(1, 1000, ("trace_id", "t1")))),
        };
        request.Headers.Authorization = auth;
        return await system.Http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> QueryAsync(ExemplarSystem system, AuthenticationHeaderValue? auth,
        string query = "auth_metric")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/query_exemplars")
        {
            Content = new FormUrlEncodedContent([new("query", query), new("start", "0"), new("end", "10")]),
        };
        request.Headers.Authorization = auth;
        return await system.Http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PostQueryAsync(ExemplarSystem system, AuthenticationHeaderValue? auth)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "")
        {
            Content = new StringContent("{\"start\":\"0\",\"end\":\"10\",\"query\":\"auth_metric\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = auth;
        return await system.Http.SendAsync(request);
    }

    /// <summary>Asserts a Prometheus-style error body: <c>{"status":"error","errorType":…,"error":…}</c>.</summary>
    public static async Task AssertPrometheusErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorType)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(errorType, body.RootElement.GetProperty("errorType").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error").GetString()));
    }

    public static string Challenges(HttpResponseMessage response) =>
        string.Join(" | ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
}
