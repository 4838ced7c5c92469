using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using OrleansExemplars.Grains;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Hosting.Clustering;
using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Hosting.Security;
using OrleansExemplars.Silo.Health;
using OrleansExemplars.Silo.Kafka;
using OrleansExemplars.WriteApi;
using OrleansExemplars.WriteApi.Ingest;

namespace OrleansExemplars.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>
    /// The exemplar grains and what they need: validated <c>Exemplars:*</c> options, counters, the grain storage for
    /// rings and catalogs (<see cref="GrainStorageExtensions.AddExemplarGrainStorage"/>), the
    /// remote-write forwarders (<c>RemoteWrite:*</c>), and the Kafka stream provider when
    /// <c>Kafka:BootstrapServers</c> is set. Shared by the silo host and
    /// the test clusters, so both run the same silo.
    /// </summary>
    public static ISiloBuilder AddOrleansExemplars(this ISiloBuilder silo)
    {
        silo.Services.AddExemplarGrains(silo.Configuration);
        silo.Services.AddRemoteWriteForwarding(silo.Configuration);
        silo.AddExemplarGrainStorage();
        var kafka = silo.Configuration.GetSection(KafkaStreamOptions.SectionName);
        if (kafka.Get<KafkaStreamOptions>()?.Enabled == true)
        {
            silo.AddKafkaStreams(KafkaStreamingExtensions.DefaultProviderName, options => options.Bind(kafka));
        }
        return silo;
    }

    /// <summary>
    /// Makes this web host an OrleansExemplars silo: cluster membership from <c>Cluster:*</c> (TLS with
    /// <c>Cluster:Tls</c>), the exemplar grains, the Orleans dashboard (<c>Dashboard:*</c>, on this host's <c>Urls</c> or
    /// its own <c>Dashboard:Urls</c>, behind <c>Auth:Read</c> as the API host's read side), Prometheus metrics at
    /// <c>/metrics</c> (behind it too with <c>Auth:ProtectMetrics</c>), the health checks (<c>/healthz</c>,
    /// <c>/readyz</c>, always open) and, unless <c>Api:ServeOnSilo</c> is off, the write endpoints <c>/api/v1/write</c> and
    /// <c>/api/v1/otlp/v1/metrics</c> (behind <c>Auth:Write</c>), all mapped by <see cref="MapSiloEndpoints"/>.
    /// </summary>
    public static WebApplicationBuilder AddOrleansExemplarsSilo(this WebApplicationBuilder builder)
    {
        var cluster = builder.Services.AddValidatedOptionsNow<ClusterHostOptions>(builder.Configuration, ClusterHostOptions.SectionName);
        var dashboard = builder.Services.AddValidatedOptionsNow<SiloDashboardOptions>(builder.Configuration, SiloDashboardOptions.SectionName);
        DashboardListener.Listen(builder, dashboard);
        builder.Services.AddSideAuthentication(builder.Configuration); // Auth:*, the API host's code and keys
        builder.Services.AddSideRateLimits(builder.Configuration); // RateLimit:*, as the API host's, for the write endpoints
        builder.AddWriteApi(); // Api:MaxRequestBytes, Api:ForwardTimeout, Api:ServeOnSilo, Otlp:* (WriteApi/)

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(IngestMetrics.MeterName, WriteApiMetrics.MeterName, OrleansExemplars.Grains.Wal.WalMetrics.MeterName, KafkaReceiverMetrics.MeterName, RemoteWriteMetrics.MeterName,
                AuthMetrics.MeterName, Storage.GrainStorageMetrics.MeterName, "Microsoft.Orleans",
                "System.Runtime")
            .AddPrometheusExporter());

        builder.AddSiloHealthChecks(); // /healthz, /readyz (Silo/Health)

        builder.UseOrleans(silo =>
        {
            silo.UseOrleansExemplarsClustering(cluster);
            silo.AddOrleansExemplars();
            silo.AddDashboard(options =>
            {
                options.CounterUpdateIntervalMs = dashboard.CounterUpdateIntervalMs;
                options.HistoryLength = dashboard.HistoryLength;
                options.HideTrace = dashboard.HideTrace;
            });
        });
        return builder;
    }

    public static WebApplication MapSiloEndpoints(this WebApplication app)
    {
        // Under Dashboard:RoutePrefix (validated at start: empty or /segment…, never over /metrics or /-/…).
        var prefix = app.Services.GetRequiredService<IOptions<SiloDashboardOptions>>().Value.RoutePrefix;
        // First, so no write endpoint answers a bare 500: an unhandled exception gets Prometheus' error body.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = PrometheusErrors.HandleUnhandledAsync });
        app.UseDashboardListener(); // a dashboard request on the wrong listener is 404 before any credential is asked for
        app.UseSideAuthentication();
        app.UseRateLimiter();
        if (app.Services.GetRequiredService<IOptions<WriteApiOptions>>().Value.ServeOnSilo)
        {
            // The API host's write endpoints, in the process of the grains: Auth:Write and RateLimit:Write as there.
            app.MapGroup("/api/v1").RequireWriteAccess().MapWriteApi();
        }
        // The page and its API (counters, grain stats, log stream) alike: Auth:Read, open when it names no credential.
        app.MapOrleansDashboard(prefix.Length == 0 ? null : prefix)
            .RequireAuthorization(SecurityPolicies.Read)
            .WithMetadata(DashboardListener.Marker.Instance);
        app.MapPrometheusScrapingEndpoint().RequireAuthorization(SecurityPolicies.Metrics);
        app.MapSiloHealthEndpoints(); // open, like Prometheus' own probes
        return app;
    }
}
