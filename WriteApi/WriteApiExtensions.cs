using OrleansExemplars.Hosting.Configuration;
using OrleansExemplars.WriteApi.Http;
using OrleansExemplars.WriteApi.Ingest;

namespace OrleansExemplars.WriteApi;

/// <summary>
/// The write endpoints, for whichever host serves them. The host registers what they share with the rest of it:
/// <c>Ingest</c>, <c>RemoteWrite</c> and <c>Sharding</c> options, the shard directory and an <see cref="IGrainFactory"/>
/// (a cluster client in the API host, the silo's own in a silo).
/// </summary>
public static class WriteApiExtensions
{
    /// <summary>Validated <see cref="WriteApiOptions"/> (<c>Api</c>), the OTLP options (<c>Otlp</c>), the counters and the ingestor.</summary>
    public static WebApplicationBuilder AddWriteApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WriteApiOptions>(builder.Configuration, WriteApiOptions.SectionName);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<WriteApiMetrics>();
        builder.Services.AddSingleton<RemoteWriteIngestor>();
        builder.AddOtlpIngest();
        return builder;
    }

    /// <summary><c>POST /write</c> and <c>POST /otlp/v1/metrics</c> under <paramref name="group"/> (the hosts use <c>/api/v1</c>).</summary>
    public static RouteGroupBuilder MapWriteApi(this RouteGroupBuilder group) => group.MapRemoteWrite().MapOtlpMetrics();
}
