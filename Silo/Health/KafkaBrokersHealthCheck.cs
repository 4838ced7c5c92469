using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansExemplars.Hosting.Health;
using OrleansExemplars.Silo.Kafka;

namespace OrleansExemplars.Silo.Health;

/// <summary>
/// Readiness (only with <c>Kafka:BootstrapServers</c> set): a broker of the cluster answers a metadata request within
/// <c>Health:Timeout</c>. One admin client, built from the same settings as the receivers (<c>Kafka:Properties</c>:
/// SASL, TLS), lives as long as the silo so that a probe does not pay for a new connection; librdkafka's own log lines
/// go to this logger at debug level (the receivers already report an outage).
/// </summary>
internal sealed class KafkaBrokersHealthCheck : IHealthCheck, IDisposable
{
    public const string Name = "kafka";

    private readonly KafkaStreamOptions _options;
    private readonly HealthProbeCache _cache;
    private readonly Lazy<IAdminClient> _admin;

    public KafkaBrokersHealthCheck(IOptions<HealthOptions> health, HealthProbeCache cache, IConfiguration configuration,
        ILogger<KafkaBrokersHealthCheck> logger)
    {
        _options = configuration.GetSection(KafkaStreamOptions.SectionName).Get<KafkaStreamOptions>() ?? new KafkaStreamOptions();
        _cache = cache;
        _admin = new Lazy<IAdminClient>(() =>
        {
            var config = new AdminClientConfig(_options.ClientConfig())
            {
                SocketTimeoutMs = Math.Max(10, (int)health.Value.Timeout.TotalMilliseconds),
            };
            return new AdminClientBuilder(config)
                .SetLogHandler((_, m) => logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
                .SetErrorHandler((_, e) => logger.LogDebug("librdkafka error {Code}: {Reason}", e.Code, e.Reason))
                .Build();
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _cache.GetAsync(context.Registration.Name, ProbeAsync, cancellationToken);

    private Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var timeout = _cache.Timeout;
        // GetMetadata blocks: run it off the request thread; it gives up by itself after the timeout.
        return Task.Run(() =>
        {
            try
            {
                var metadata = _admin.Value.GetMetadata(timeout);
                if (metadata.Brokers.Count == 0) return HealthCheckResult.Unhealthy($"Kafka at {_options.BootstrapServers} lists no broker");
                var data = new Dictionary<string, object>
                {
                    ["brokers"] = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}")),
                    ["answeredBy"] = metadata.OriginatingBrokerName,
                };
                return HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s) answer", data);
            }
            catch (KafkaException e)
            {
                return HealthCheckResult.Unhealthy(
                    $"no Kafka broker of {_options.BootstrapServers} answered a metadata request within {timeout.TotalSeconds:0.###} s ({e.Error.Reason})", e);
            }
        }, cancellationToken);
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated) _admin.Value.Dispose();
    }
}
