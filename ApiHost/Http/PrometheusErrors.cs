using System.IO;
using System.Text.Json;

namespace OrleansExemplars.ApiHost.Http;

/// <summary>Prometheus' API error body: <c>{"status":"error","errorType":"bad_data","error":"…"}</c>.</summary>
internal static class PrometheusErrors
{
    public const string BadData = "bad_data";
    public const string Execution = "execution";
    public const string Unavailable = "unavailable";
    public const string Timeout = "timeout";
    public const string Internal = "internal";
    public const string NotFound = "not_found";

    /// <summary>Not one of Prometheus' own types (it has no authorization): a refusal that retrying cannot change.</summary>
    public const string Forbidden = "forbidden";

    public static IResult Result(int statusCode, string errorType, string message) =>
        Results.Text(Body(errorType, message), "application/json", statusCode: statusCode);

    public static IResult BadRequest(string message) => Result(StatusCodes.Status400BadRequest, BadData, message);

    public static string Body(string errorType, string message)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = PrometheusJson.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("status", "error");
            json.WriteString("errorType", errorType);
            json.WriteString("error", message);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
