using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExemplars.Grains;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers what the grains need: validated <see cref="ExemplarStorageOptions"/> and the counters.</summary>
    public static IServiceCollection AddExemplarGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExemplarStorageOptions>()
            .Bind(configuration.GetSection(ExemplarStorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<IngestMetrics>();
        return services;
    }
}
