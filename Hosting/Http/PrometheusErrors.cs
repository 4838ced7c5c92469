using System.Text.Json;
using OrleansExemplars.Prometheus.Json;

namespace OrleansExemplars.Hosting.Http;

/// <summary>Prometheus' API error body: <c>{"status":"error","errorType":"bad_data","error":"…"}</c>.</summary>
public static class PrometheusErrors
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

    /// <summary>
    /// How a failure of the grains answers, as Prometheus answers its own: 503 <c>unavailable</c> when the cluster
    /// could not be reached or did not answer in time (no gateway, a silo gone, a connection refused, overloaded,
    /// timed out), so the same request may well succeed shortly; 500 <c>internal</c> when a grain took the call and
    /// failed it (e.g. its stored ring cannot be read because the storage is down, or neither its WAL nor its storage
    /// takes a write). Prometheus retries both.
    /// </summary>
    public static (int StatusCode, string ErrorType, string Message) ForException(Exception e, string what)
    {
        // The outermost message says where (Orleans names the grain and the storage), the innermost what happened;
        // only their first lines: Orleans appends every inner exception's stack.
        var outer = FirstLine(e.Message);
        var inner = FirstLine(e.GetBaseException().Message);
        var reason = ReferenceEquals(e, e.GetBaseException()) || outer == inner ? outer : $"{outer}: {inner}";
        return IsUnreachable(e) || IsUnreachable(e.GetBaseException())
            ? (StatusCodes.Status503ServiceUnavailable, Unavailable, $"{what}: exemplar storage unavailable: {reason}")
            : (StatusCodes.Status500InternalServerError, Internal, $"{what}: {reason}");
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }

    private static bool IsUnreachable(Exception e) =>
        e is OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException
            or Orleans.Runtime.Messaging.ConnectionFailedException or Orleans.Networking.Shared.SocketConnectionException
            or TimeoutException;

    /// <summary>
    /// Answers an exception no endpoint handled (<c>UseExceptionHandler</c>) with Prometheus' error body instead of an
    /// empty 500, classified by <see cref="ForException"/>.
    /// </summary>
    public static async Task HandleUnhandledAsync(HttpContext http)
    {
        var error = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        var (status, type, message) = error is null
            ? (StatusCodes.Status500InternalServerError, Internal, "internal error")
            : ForException(error, $"{http.Request.Method} {http.Request.Path}");
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "5";
        await Result(status, type, message).ExecuteAsync(http);
    }

    public static string Body(string errorType, string message)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = SeriesJsonBatchWriter.Encoder }))
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
