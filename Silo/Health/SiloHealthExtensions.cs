using OrleansExemplars.Hosting.Health;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Silo.Kafka;

namespace OrleansExemplars.Silo.Health;

public static class SiloHealthExtensions
{
    /// <summary>
    /// Liveness (<c>process</c>) and readiness: <c>silo</c> (Active in the cluster), <c>wal</c>, <c>grain-storage</c>,
    /// <c>kafka</c> when <c>Kafka:BootstrapServers</c> is set, and <c>remote-write:&lt;name&gt;</c> for each endpoint.
    /// </summary>
    public static WebApplicationBuilder AddSiloHealthChecks(this WebApplicationBuilder builder)
    {
        var checks = builder.Services.AddExemplarHealthChecks(builder.Configuration)
            .AddCheck<SiloActiveHealthCheck>(SiloActiveHealthCheck.Name, tags: [HealthEndpoints.Ready])
            .AddCheck<WalDirectoryHealthCheck>(WalDirectoryHealthCheck.Name, tags: [HealthEndpoints.Ready])
            .AddCheck<GrainStorageHealthCheck>(GrainStorageHealthCheck.Name, tags: [HealthEndpoints.Ready]);
        if (builder.Configuration.GetSection(KafkaStreamOptions.SectionName).Get<KafkaStreamOptions>()?.Enabled == true)
        {
            builder.Services.AddSingleton<KafkaBrokersHealthCheck>(); // owns its admin client for the silo's lifetime
            checks.AddCheck<KafkaBrokersHealthCheck>(KafkaBrokersHealthCheck.Name, tags: [HealthEndpoints.Ready]);
        }
        var remoteWrite = builder.Configuration.GetSection(RemoteWriteOptions.SectionName).Get<RemoteWriteOptions>() ?? new RemoteWriteOptions();
        foreach (var endpoint in remoteWrite.Endpoints.Where(e => Uri.IsWellFormedUriString(e.Url, UriKind.Absolute)))
        {
            checks.AddTypeActivatedCheck<RemoteWriteEndpointHealthCheck>(RemoteWriteEndpointHealthCheck.NameOf(endpoint),
                failureStatus: null, tags: [HealthEndpoints.Ready], args: endpoint);
        }
        return builder;
    }

    /// <summary><c>/healthz</c>, <c>/readyz</c>, <c>/-/healthy</c>, <c>/-/ready</c>.</summary>
    public static WebApplication MapSiloHealthEndpoints(this WebApplication app)
    {
        app.MapExemplarHealthEndpoints("OrleansExemplars silo");
        return app;
    }
}
