using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using OrleansExemplars.Hosting.Configuration;

namespace OrleansExemplars.Hosting.Health;

/// <summary>
/// The health endpoints of both hosts, on ASP.NET Core Health Checks. Checks tagged <see cref="Live"/> answer
/// <c>/healthz</c> and <c>/-/healthy</c> (liveness: the process runs and serves HTTP; restart it when this fails);
/// checks tagged <see cref="Ready"/> answer <c>/readyz</c> and <c>/-/ready</c> (readiness: every dependency this
/// process needs answers; take it out of rotation while this fails). 200 when all pass, 503 when one is unhealthy;
/// <c>/healthz</c> and <c>/readyz</c> answer JSON naming each check, <c>/-/healthy</c> and <c>/-/ready</c> plain text as
/// Prometheus does. They are open: no credentials, no rate limit.
/// </summary>
public static class HealthEndpoints
{
    public const string Live = "live";
    public const string Ready = "ready";

    /// <summary><c>Health:*</c> options, the probe cache, the probes' HTTP client and the liveness check.</summary>
    public static IHealthChecksBuilder AddExemplarHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HealthOptions>(configuration, HealthOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HealthProbeCache>();
        services.AddHealthHttpClient();
        return services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("the process runs and serves HTTP"), [Live]);
    }

    /// <param name="product">How the plain-text answers name this process ("OrleansExemplars silo").</param>
    public static IEndpointRouteBuilder MapExemplarHealthEndpoints(this IEndpointRouteBuilder app, string product)
    {
        app.MapHealthChecks("/healthz", Options(Live, WriteJsonAsync)).WithDisplayName("liveness");
        app.MapHealthChecks("/readyz", Options(Ready, WriteJsonAsync)).WithDisplayName("readiness");
        app.MapHealthChecks("/-/healthy", Options(Live, (http, report) => WriteTextAsync(http, report, product, "Healthy")));
        app.MapHealthChecks("/-/ready", Options(Ready, (http, report) => WriteTextAsync(http, report, product, "Ready")));
        return app;
    }

    private static HealthCheckOptions Options(string tag, Func<HttpContext, HealthReport, Task> writer) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = writer,
    };

    /// <summary>
    /// <c>{"status":"Unhealthy","durationSeconds":0.012,"checks":[{"name":"tsdb","status":"Unhealthy",
    /// "description":"…","durationSeconds":0.002,"tags":["ready"],"error":"…","data":{…}}]}</c>
    /// </summary>
    public static async Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteNumber("durationSeconds", Math.Round(report.TotalDuration.TotalSeconds, 6));
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description ?? "");
            json.WriteNumber("durationSeconds", Math.Round(entry.Duration.TotalSeconds, 6));
            json.WriteStartArray("tags");
            foreach (var tag in entry.Tags) json.WriteStringValue(tag);
            json.WriteEndArray();
            if (entry.Exception is { } e) json.WriteString("error", $"{e.GetType().Name}: {e.Message}");
            if (entry.Data.Count > 0)
            {
                json.WriteStartObject("data");
                foreach (var (key, value) in entry.Data) json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }

    /// <summary>Prometheus' style: "… is Ready." (200), or what is not (503), one check a line.</summary>
    private static Task WriteTextAsync(HttpContext http, HealthReport report, string product, string state)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        if (report.Status != HealthStatus.Unhealthy) return http.Response.WriteAsync($"{product} is {state}.\n", http.RequestAborted);
        var failing = report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy)
            .Select(e => $"{e.Key}: {e.Value.Description}");
        return http.Response.WriteAsync($"{product} is not {state}.\n{string.Join('\n', failing)}\n", http.RequestAborted);
    }
}
