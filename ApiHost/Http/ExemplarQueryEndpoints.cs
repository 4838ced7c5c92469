using System.Diagnostics;
using System.Text.Json;
using OrleansExemplars.ApiHost.Query;
using Microsoft.Extensions.Options;
using OrleansExemplars.Prometheus.PromQL;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.ApiHost.Http;

/// <summary>
/// <c>GET|POST /api/v1/query_exemplars</c> as Prometheus serves it, and <c>POST /</c> with a JSON body
/// <c>{"start":"…","end":"…","query":"…"}</c> answering the same.
/// </summary>
public static class ExemplarQueryEndpoints
{
    public static RouteGroupBuilder MapExemplarQueries(this RouteGroupBuilder group)
    {
        group.MapMethods("/query_exemplars", [HttpMethods.Get, HttpMethods.Post], async (HttpContext http,
            ExemplarQueryService service) =>
        {
            // Go's Request.FormValue: a form body's values win over the URL's.
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
            string? Param(string name) =>
                form is not null && form.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : http.Request.Query[name].FirstOrDefault();
            return await AnswerAsync(http, service, Param("query"), Param("start"), Param("end"), Param("limit"));
        });
        return group;
    }

    public static IEndpointRouteBuilder MapPostQueryEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/", async (HttpContext http, ExemplarQueryService service) =>
        {
            JsonElement body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body, cancellationToken: http.RequestAborted);
            }
            catch (JsonException e)
            {
                return PrometheusErrors.BadRequest($"invalid JSON body: {e.Message}");
            }
            if (body.ValueKind != JsonValueKind.Object)
            {
                return PrometheusErrors.BadRequest("the body must be a JSON object {\"start\":…,\"end\":…,\"query\":…}");
            }
            return await AnswerAsync(http, service, Field(body, "query"), Field(body, "start"), Field(body, "end"), Field(body, "limit"));
        });
        return app;
    }

    private static string? Field(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>Answers the query and records its duration and outcome (<c>oe_query_exemplars_duration_seconds</c>).</summary>
    private static async Task<IResult> AnswerAsync(HttpContext http, ExemplarQueryService service,
        string? query, string? start, string? end, string? limit)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            (var result, outcome) = await AnswerCoreAsync(http, service, query, start, end, limit);
            return result;
        }
        finally
        {
            http.RequestServices.GetRequiredService<ApiMetrics>().RecordQuery(
                http.RequestAborted.IsCancellationRequested ? "canceled" : outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private static async Task<(IResult Result, string Outcome)> AnswerCoreAsync(HttpContext http, ExemplarQueryService service,
        string? query, string? start, string? end, string? limitParam)
    {
        if (!PrometheusTime.TryParseParam(start, "start", PrometheusTime.MinTimeMs, out var startMs, out var error) ||
            !PrometheusTime.TryParseParam(end, "end", PrometheusTime.MaxTimeMs, out var endMs, out error))
        {
            return (PrometheusErrors.BadRequest(error), "bad_data");
        }
        if (endMs < startMs) return (PrometheusErrors.BadRequest("end timestamp must not be before start timestamp"), "bad_data");
        if (!ExemplarLimit.TryParse(limitParam, out var limit, out error)) return (PrometheusErrors.BadRequest(error), "bad_data");

        IReadOnlyList<IReadOnlyList<Prometheus.Model.LabelMatcher>> selectors;
        try
        {
            // Ingest:NameValidation: Prometheus 3's quoted names ({"a.b"}) unless the legacy names (and 2.42's
            // grammar) are asked for.
            var names = http.RequestServices.GetRequiredService<IOptions<IngestLimitsOptions>>().Value.NameValidation;
            selectors = PromQLParser.ExtractSelectors(query ?? "", names);
        }
        catch (PromQLParseException e)
        {
            return (PrometheusErrors.BadRequest(e.Message), "bad_data");
        }
        // Prometheus answers an expression without any selector (e.g. "1+1") with 204 and no body.
        if (selectors.Count == 0) return (Results.NoContent(), "no_content");

        Prometheus.Json.SeriesJsonBatch[] results;
        try
        {
            results = await service.SelectAsync(startMs, endMs, selectors, http.RequestAborted, exemplarIndex: limit > 0);
        }
        catch (ExemplarQueryException e)
        {
            // Both are 503, as Prometheus answers a query that timed out or could not reach its storage; errorType
            // tells them apart. Never a partial answer: missing exemplars would look like no exemplars.
            var type = e.Failure == ExemplarQueryFailure.Timeout ? PrometheusErrors.Timeout : PrometheusErrors.Unavailable;
            return (PrometheusErrors.Result(StatusCodes.Status503ServiceUnavailable, type, e.Message), type);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return (PrometheusErrors.Result(StatusCodes.Status503ServiceUnavailable, PrometheusErrors.Unavailable,
                $"exemplar storage unavailable: {e.Message}"), PrometheusErrors.Unavailable);
        }
        await ExemplarJsonResponse.WriteAsync(http.Response, results, limit, http.RequestAborted);
        return (Results.Empty, "success");
    }
}
