using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Hosting;
using OrleansExemplars.Hosting.Http;

namespace OrleansExemplars.ApiHost.Security;

/// <summary>
/// Caps request bodies of read-side endpoints at <c>Api:MaxReadRequestBytes</c> (Kestrel's own cap is off because
/// <c>/api/v1/write</c> enforces <c>Api:MaxRequestBytes</c> itself): a declared length over it is refused before
/// reading, a chunked body once it passes it; both are 413 with a Prometheus error body.
/// </summary>
public static class ReadRequestBodyLimit
{
    /// <summary>Endpoint metadata marking a read-side endpoint (added by <c>RequireReadAccess</c>).</summary>
    public sealed class Marker
    {
        public static readonly Marker Instance = new();
    }

    public static IApplicationBuilder UseReadRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is null)
            {
                await next(context);
                return;
            }
            var limit = context.RequestServices.GetRequiredService<IOptions<ApiHostOptions>>().Value.MaxReadRequestBytes;
            if (context.Request.ContentLength > limit)
            {
                await TooLargeAsync(context, limit);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = limit;
            }
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge &&
                !context.Response.HasStarted)
            {
                await TooLargeAsync(context, limit);
            }
        });

    private static Task TooLargeAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(PrometheusErrors.Body(PrometheusErrors.BadData,
            $"request body exceeds the limit of {limit} bytes (Api:MaxReadRequestBytes)"), context.RequestAborted);
    }
}
