using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Builds the Kafka stream provider's parts for Orleans' persistent-stream machinery; the payload is read by a
/// <see cref="RemoteWriteKafkaDataAdapter"/>.
/// </summary>
public sealed class KafkaQueueAdapterFactory : IQueueAdapterFactory, IDisposable
{
    private readonly string _name;
    private readonly KafkaStreamOptions _options;
    private readonly KafkaReceiverMetrics _metrics;
    private readonly IKafkaDataAdapter _data;
    private readonly ILoggerFactory _loggerFactory;
    private readonly KafkaQueueMapper _mapper;
    private readonly SimpleQueueAdapterCache _cache;
    private readonly KafkaTopicDirectory _directory;
    private readonly KafkaDeadLetterProducer _deadLetters;
    private readonly IStreamFailureHandler _failureHandler = new NoOpStreamDeliveryFailureHandler(false);

    /// <param name="forwardShards">Forwarder shards to feed; 0 when no remote-write endpoint is configured.</param>
    public KafkaQueueAdapterFactory(string name, KafkaStreamOptions options, SimpleQueueCacheOptions cacheOptions,
        KafkaReceiverMetrics metrics, int forwardShards, ILoggerFactory loggerFactory, MetricShardDirectory? shards = null,
        SeriesLimits? limits = null)
    {
        _data = new RemoteWriteKafkaDataAdapter(options, forwardShards, shards, limits);
        _name = name;
        _options = options;
        _metrics = metrics;
        _loggerFactory = loggerFactory;
        _mapper = new KafkaQueueMapper(options.Topics, options.PartitionSlotsPerTopic, name);
        _cache = new SimpleQueueAdapterCache(cacheOptions, name, loggerFactory);
        _directory = new KafkaTopicDirectory(options, loggerFactory.CreateLogger<KafkaTopicDirectory>());
        _deadLetters = new KafkaDeadLetterProducer(options);
    }

    public static IQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new KafkaQueueAdapterFactory(name,
            services.GetRequiredService<IOptionsMonitor<KafkaStreamOptions>>().Get(name),
            services.GetRequiredService<IOptionsMonitor<SimpleQueueCacheOptions>>().Get(name),
            services.GetRequiredService<KafkaReceiverMetrics>(),
            services.GetRequiredService<IOptions<RemoteWriteOptions>>().Value.ForwardShards,
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<MetricShardDirectory>(),
            services.GetRequiredService<IOptions<IngestLimitsOptions>>().Value.ToLimits());

    Task<IQueueAdapter> IQueueAdapterFactory.CreateAdapter() => CreateAdapter(CancellationToken.None);

    public async Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken)
    {
        // Fails start-up when a topic has more partitions than queue slots, rather than leaving some unread. A broker
        // that does not answer yet does not stop the silo: its receivers start once the partitions can be read.
        await _directory.TryRefreshAsync(cancellationToken);
        return new KafkaQueueAdapter(_name, _options, _mapper, _directory, _deadLetters, _metrics, _data, _loggerFactory);
    }

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => Task.FromResult(_failureHandler);

    public void Dispose()
    {
        _deadLetters.Dispose();
        _directory.Dispose();
    }
}
