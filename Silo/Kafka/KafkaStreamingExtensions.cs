using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Streams;

namespace OrleansExemplars.Silo.Kafka;

public static class KafkaStreamingExtensions
{
    /// <summary>The provider name the silo host registers the Kafka streams under.</summary>
    public const string DefaultProviderName = "kafka";

    /// <summary>
    /// Adds a persistent stream provider that consumes Prometheus remote-write messages from Kafka: one queue per
    /// topic partition, spread over the silos by Orleans' consistent-ring queue balancer, delivering to implicitly
    /// subscribed grains only (no pub-sub store needed).
    /// </summary>
    public static ISiloBuilder AddKafkaStreams(this ISiloBuilder silo, string name,
        Action<OptionsBuilder<KafkaStreamOptions>> configureOptions)
    {
        var options = silo.Services.AddOptions<KafkaStreamOptions>(name);
        configureOptions(options);
        options.ValidateDataAnnotations().ValidateOnStart();
        silo.Services.TryAddSingleton<KafkaReceiverMetrics>();
        // Measured on 2 cores: the default 100 ms read period caps delivery at cache size per tick; 10 ms and batches
        // of 16 containers per delivery keep the agents CPU-bound instead (see DESIGN).
        silo.Services.Configure<SimpleQueueCacheOptions>(name, c => c.CacheSize = 4096);
        silo.AddPersistentStreams(name, KafkaQueueAdapterFactory.Create, streams =>
        {
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            streams.UseConsistentRingQueueBalancer();
            streams.ConfigureBackoffProvider((_, _) => new KafkaDeliveryBackoff());
            streams.ConfigurePullingAgent(agent => agent.Configure(a =>
            {
                a.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10);
                a.BatchContainerBatchSize = 16;
                // A forwarder delivery fails while a TSDB is down and is retried until it is accepted: never give up
                // on it (giving up would leave its poll, and so the partition's offset, stuck for good).
                a.MaxEventDeliveryTime = TimeSpan.FromDays(365);
            }));
        });
        return silo;
    }
}
