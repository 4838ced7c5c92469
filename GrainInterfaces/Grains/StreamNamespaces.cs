namespace OrleansExemplars.GrainInterfaces;

/// <summary>Orleans stream namespaces the stream providers deliver into.</summary>
public static class StreamNamespaces
{
    /// <summary>Key = metric name; events are <c>SeriesExemplars[]</c>, one per poll, for <see cref="IMetricGrain"/>.</summary>
    public const string MetricExemplars = "metric-exemplars";

    /// <summary>Key = forwarder shard number; events are <see cref="ForwardBatch"/>es for <see cref="IRemoteWriteForwarderGrain"/>.</summary>
    public const string ForwardShards = "forward-shards";
}
