using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains.Forwarding;

public static class RemoteWriteServiceCollectionExtensions
{
    /// <summary>
    /// Registers remote-write forwarding: <see cref="RemoteWriteOptions"/> bound from section <c>RemoteWrite</c> of
    /// <paramref name="configuration"/> and validated at start-up, one named <see cref="IHttpClientFactory"/> client per
    /// endpoint (Polly retry and per-attempt timeout from <see cref="RemoteWriteResilience"/>, auth, per-attempt
    /// metrics; <see cref="HttpClient.Timeout"/> infinite, so the pipeline owns timeouts),
    /// <see cref="RemoteWriteMetrics"/>, the silo's <see cref="ForwardQueueBudget"/> and the <see cref="RemoteWriteSenders"/> singleton.
    /// </summary>
    /// <remarks>
    /// The endpoints' clients are registered for the entries present in <paramref name="configuration"/> now; endpoint
    /// i of the bound options uses client <see cref="RemoteWriteSenders.HttpClientName"/>(i).
    /// </remarks>
    public static IServiceCollection AddRemoteWriteForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(RemoteWriteOptions.SectionName);
        services.AddOptions<RemoteWriteOptions>()
            .Bind(section)
            .PostConfigure(RemoteWriteOptionsValidator.ApplyDefaults)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemoteWriteOptions>, RemoteWriteOptionsValidator>());
        services.AddMetrics();
        services.AddHttpClient();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RemoteWriteMetrics>();
        services.TryAddSingleton(sp =>
        {
            var metrics = sp.GetRequiredService<RemoteWriteMetrics>();
            return new ForwardQueueBudget(sp.GetRequiredService<IOptions<RemoteWriteOptions>>().Value.MaxQueuedBytes, metrics.AddQueuedBytes);
        });
        var endpoints = section.GetSection(nameof(RemoteWriteOptions.Endpoints)).GetChildren().Count();
        services.TryAddSingleton(sp => new RemoteWriteSenders(sp.GetRequiredService<IOptions<RemoteWriteOptions>>(), endpoints,
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<RemoteWriteMetrics>(),
            sp.GetRequiredService<ILoggerFactory>()));
        for (var i = 0; i < endpoints; i++) AddEndpointClient(services, i);
        return services;
    }

    private static void AddEndpointClient(IServiceCollection services, int index)
    {
        static RemoteWriteEndpointOptions Endpoint(IServiceProvider sp, int index) =>
            sp.GetRequiredService<IOptions<RemoteWriteOptions>>().Value.Endpoints[index];
        static string Name(RemoteWriteEndpointOptions endpoint) =>
            endpoint.Name ?? RemoteWriteEndpointOptions.DefaultName(endpoint.Url);

        var client = services.AddHttpClient(RemoteWriteSenders.HttpClientName(index))
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            // The default logging handlers log every request at Information: far too much for a forwarder, which logs
            // retries and drops itself.
            .RemoveAllLoggers();
        client.AddResilienceHandler("RemoteWrite", (pipeline, context) =>
        {
            var sp = context.ServiceProvider;
            var endpoint = Endpoint(sp, index);
            RemoteWriteResilience.Configure(pipeline, Name(endpoint), endpoint, sp.GetRequiredService<RemoteWriteMetrics>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<RemoteWriteSender>(), sp.GetRequiredService<TimeProvider>());
        });
        // Below the resilience handler: run once per attempt.
        client.AddHttpMessageHandler(sp =>
        {
            var endpoint = Endpoint(sp, index);
            return new RemoteWriteAttemptHandler(Name(endpoint), sp.GetRequiredService<RemoteWriteMetrics>());
        });
        client.AddHttpMessageHandler(sp => new RemoteWriteAuthHandler(Endpoint(sp, index)));
    }
}
