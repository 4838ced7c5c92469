using OrleansExemplars.ApiHost.Proxy;
using OrleansExemplars.Hosting.Health;

namespace OrleansExemplars.ApiHost.Health;

public static class ApiHostHealthExtensions
{
    /// <summary>
    /// Liveness (<c>process</c>) and readiness: <see cref="OrleansClusterHealthCheck"/>, and
    /// <see cref="UpstreamTsdbHealthCheck"/> when <c>Query:UpstreamUrl</c> is set.
    /// </summary>
    public static WebApplicationBuilder AddApiHostHealthChecks(this WebApplicationBuilder builder)
    {
        var checks = builder.Services.AddExemplarHealthChecks(builder.Configuration)
            .AddCheck<OrleansClusterHealthCheck>(OrleansClusterHealthCheck.Name, tags: [HealthEndpoints.Ready]);
        var upstream = builder.Configuration.GetSection(QueryProxyOptions.SectionName).Get<QueryProxyOptions>();
        if (upstream?.IsConfigured == true)
        {
            checks.AddCheck<UpstreamTsdbHealthCheck>(UpstreamTsdbHealthCheck.Name, tags: [HealthEndpoints.Ready]);
        }
        return builder;
    }

    /// <summary><c>/healthz</c>, <c>/readyz</c>, <c>/-/healthy</c>, <c>/-/ready</c>: open to everyone.</summary>
    public static WebApplication MapApiHostHealthEndpoints(this WebApplication app)
    {
        app.MapExemplarHealthEndpoints("OrleansExemplars");
        return app;
    }
}
