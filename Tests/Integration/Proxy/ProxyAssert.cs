using System.IO.Compression;
using System.Text.Json.Nodes;
using Xunit;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>Compares an answer that went through the API host with the one the TSDB gave directly.</summary>
public static class ProxyAssert
{
    /// <summary>Same status, content type and content encoding; bodies equal as JSON (byte for byte when not JSON).</summary>
    public static async Task SameAnswerAsync(HttpResponseMessage direct, HttpResponseMessage proxied, string what)
    {
        var directBody = await BodyAsync(direct);
        var proxiedBody = await BodyAsync(proxied);
        Assert.True(direct.StatusCode == proxied.StatusCode,
            $"{what}: direct {(int)direct.StatusCode} {directBody}\n  proxied {(int)proxied.StatusCode} {proxiedBody}");
        Assert.Equal(direct.Content.Headers.ContentType?.ToString(), proxied.Content.Headers.ContentType?.ToString());
        Assert.Equal(string.Join(",", direct.Content.Headers.ContentEncoding), string.Join(",", proxied.Content.Headers.ContentEncoding));
        JsonNode? directJson = null, proxiedJson = null;
        try
        {
            directJson = JsonNode.Parse(directBody);
            proxiedJson = JsonNode.Parse(proxiedBody);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        if (directJson is null)
        {
            Assert.Equal(directBody, proxiedBody);
            return;
        }
        Assert.True(JsonNode.DeepEquals(directJson, proxiedJson), $"{what}:\n   direct {directBody}\n  proxied {proxiedBody}");
    }

    /// <summary>The body as text, gunzipped when the server compressed it.</summary>
    public static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.Content.Headers.ContentEncoding.Contains("gzip"))
        {
            await using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var text = new StreamReader(gzip);
            return await text.ReadToEndAsync();
        }
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A Prometheus error body with this errorType; returns its message.</summary>
    public static async Task<string> PrometheusErrorAsync(HttpResponseMessage response, string errorType)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        var json = JsonNode.Parse(body)!;
        Assert.Equal("error", (string?)json["status"]);
        Assert.Equal(errorType, (string?)json["errorType"]);
        var message = (string?)json["error"];
        Assert.False(string.IsNullOrEmpty(message), body);
        return message!;
    }
}
