using Microsoft.Extensions.Options;

namespace OrleansExemplars.Silo.Hosting;

/// <summary>
/// Keeps the dashboard on listeners of its own when <c>Dashboard:Urls</c> is set: the silo's web host listens on
/// <c>Urls</c> and <c>Dashboard:Urls</c>, and the dashboard's endpoints answer only requests that arrived on a
/// <c>Dashboard:Urls</c> port — 404 elsewhere, before authentication, so the other listener does not even tell it is
/// there. The port is the connection's local one, which a client cannot choose (a <c>Host</c> header it can).
/// </summary>
internal static class DashboardListener
{
    /// <summary>Endpoint metadata marking the dashboard's endpoints.</summary>
    public sealed class Marker
    {
        public static readonly Marker Instance = new();
    }

    /// <summary>Adds <c>Dashboard:Urls</c> to the host's listen addresses; a port also in <c>Urls</c> fails start-up naming both keys.</summary>
    public static void Listen(WebApplicationBuilder builder, SiloDashboardOptions dashboard)
    {
        var own = dashboard.ListenUrls();
        if (own.Count == 0) return;
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shared = dashboard.ListenPorts().Where(p => urls.Any(u => u.EndsWith(":" + p, StringComparison.Ordinal) ||
                                                                       u.EndsWith(":" + p + "/", StringComparison.Ordinal))).ToList();
        if (shared.Count > 0)
        {
            throw new OptionsValidationException(SiloDashboardOptions.SectionName, typeof(SiloDashboardOptions),
                [$"Dashboard:Urls and Urls both name port {string.Join(", ", shared)}: give the dashboard a port of its own, or leave Dashboard:Urls empty to serve it on Urls."]);
        }
        builder.WebHost.UseUrls([.. urls, .. own]);
    }

    public static WebApplication UseDashboardListener(this WebApplication app)
    {
        var ports = app.Services.GetRequiredService<IOptions<SiloDashboardOptions>>().Value.ListenPorts();
        if (ports.Count == 0) return app;
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null && !ports.Contains(context.Connection.LocalPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context);
        });
        return app;
    }
}
