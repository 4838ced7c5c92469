using OpenTelemetry.Metrics;
using OrleansExemplars.ApiHost.Health;
using OrleansExemplars.ApiHost.Http;
using OrleansExemplars.ApiHost.Proxy;
using OrleansExemplars.ApiHost.Query;
using OrleansExemplars.ApiHost.Security;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Hosting.Clustering;
using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.Hosting.Http;
using OrleansExemplars.Hosting.Security;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.WriteApi;
using OrleansExemplars.WriteApi.Ingest;

namespace OrleansExemplars.ApiHost.Hosting;

/// <summary>Builds the API host; tests use the same entry points with their own cluster client.</summary>
public static class ApiHostApp
{
    /// <param name="connectToCluster">
    /// False when the caller registers an <see cref="IClusterClient"/> itself (tests hand in their test cluster's).
    /// </param>
    public static WebApplicationBuilder CreateBuilder(string[] args, bool connectToCluster = true)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddValidatedOptions<ApiHostOptions>(builder.Configuration, ApiHostOptions.SectionName);
        builder.Services.AddValidatedOptions<IngestLimitsOptions>(builder.Configuration, IngestLimitsOptions.SectionName);
        // Its forwarder shards; the silo, which sends to the endpoints, checks the rest of the section.
        builder.Services.AddValidatedOptions<RemoteWriteOptions>(builder.Configuration, RemoteWriteOptions.SectionName);
        builder.Services.AddValidatedOptions<ShardingOptions>(builder.Configuration, ShardingOptions.SectionName);
        builder.Services.AddSingleton<MetricShardDirectory>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ApiMetrics.MeterName, WriteApiMetrics.MeterName, AuthMetrics.MeterName, "System.Runtime")
            .AddPrometheusExporter());
        builder.AddWriteApi(); // Api:MaxRequestBytes, Api:ForwardTimeout, Otlp:* (WriteApi/, shared with the silo)
        builder.Services.AddSingleton<ExemplarQueryService>();
        builder.AddExemplarSecurity();
        builder.AddApiHostHealthChecks(); // /healthz, /readyz: cluster and upstream TSDB (ApiHost/Health)
        builder.Services.AddPrometheusProxy(builder.Configuration); // Query:UpstreamUrl
        // Bodies are limited by Api:MaxRequestBytes (with a Prometheus-style 413), not by Kestrel's 30 MB default.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);

        if (connectToCluster)
        {
            var cluster = builder.Services.AddValidatedOptionsNow<ClusterHostOptions>(builder.Configuration, ClusterHostOptions.SectionName);
            builder.UseOrleansClient(client =>
            {
                client.UseOrleansExemplarsClustering(cluster);
                // The API host may start before the silo (or outlive a restart): keep trying instead of exiting.
                client.UseConnectionRetryFilter(async (_, ct) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                    return true;
                });
            });
        }
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        // First, so nothing below answers a bare 500: an unhandled exception gets Prometheus' error body.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = PrometheusErrors.HandleUnhandledAsync });
        app.UseExemplarSecurity();
        var api = app.MapGroup("/api/v1");
        // Write and read sides: each its own credentials, rate limit and body limit (ApiHost/Security).
        api.MapGroup("").RequireWriteAccess().MapWriteApi();
        var read = api.MapGroup("").RequireReadAccess();
        read.MapExemplarQueries();
        read.MapPrometheusProxy(); // a catch-all: the literal routes above keep winning
        app.MapGroup("").RequireReadAccess().MapPostQueryEndpoint();
        app.MapPrometheusScrapingEndpoint().RequireMetricsAccess();
        app.MapApiHostHealthEndpoints(); // open, like Prometheus' own probes
        return app;
    }
}
