using Orleans.Runtime.Providers;

namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Retry delays for a failed delivery to a metric grain (typically one whose silo just left and that is being
/// re-activated elsewhere): 100 ms doubling to at most 5 s, with jitter, instead of Orleans' default that waits up
/// to a minute while the stream's later batches queue behind it.
/// </summary>
public sealed class KafkaDeliveryBackoff : IMessageDeliveryBackoffProvider
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);

    public TimeSpan Next(int attempt)
    {
        var delay = First * Math.Pow(2, Math.Min(attempt, 16));
        if (delay > Cap) delay = Cap;
        return delay * (0.5 + Random.Shared.NextDouble() / 2);
    }
}
