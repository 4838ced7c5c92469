using Microsoft.Extensions.Options;

namespace OrleansExemplars.ApiHost.Proxy;

public static class PrometheusProxyServiceCollectionExtensions
{
    /// <summary>The <c>Query</c> options (checked at start, messages naming the key), YARP's forwarder and the proxy.</summary>
    public static IServiceCollection AddPrometheusProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QueryProxyOptions>()
            .Bind(configuration.GetSection(QueryProxyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueryProxyOptions>, QueryProxyOptionsValidator>();
        services.AddHttpForwarder();
        services.AddSingleton<PrometheusProxy>();
        return services;
    }
}
