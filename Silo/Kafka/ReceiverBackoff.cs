namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// When a receiver may try again after a failure (a consumer that could not start, a poll that had to be rewound).
/// Orleans' pulling agent asks a receiver for messages every few milliseconds whatever happened before, so the
/// receiver itself keeps the pace: the first retry after <c>first</c>, doubling per consecutive failure up to
/// <c>cap</c>, each delay jittered to 50–100 % so the partitions of a silo do not retry in step. A success resets it.
/// (A Polly pipeline would wait inside one call; here the waiting spans calls, and the agent must stay free to report
/// deliveries meanwhile.)
/// </summary>
public sealed class ReceiverBackoff(TimeSpan first, TimeSpan cap)
{
    public static readonly TimeSpan DefaultFirst = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan DefaultCap = TimeSpan.FromSeconds(10);

    private long _retryAtMs = long.MinValue;

    public ReceiverBackoff() : this(DefaultFirst, DefaultCap)
    {
    }

    /// <summary>Failures since the last success.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>True while the delay after the last failure has not passed at <paramref name="nowMs"/>.</summary>
    public bool IsWaiting(long nowMs) => nowMs < _retryAtMs;

    /// <summary>Records a failure at <paramref name="nowMs"/>; returns how long to wait before the next attempt.</summary>
    public TimeSpan Failed(long nowMs)
    {
        var delay = first * Math.Pow(2, Math.Min(ConsecutiveFailures, 30));
        if (delay > cap) delay = cap;
        delay *= 0.5 + Random.Shared.NextDouble() / 2;
        ConsecutiveFailures++;
        _retryAtMs = nowMs + (long)delay.TotalMilliseconds;
        return delay;
    }

    public void Succeeded()
    {
        ConsecutiveFailures = 0;
        _retryAtMs = long.MinValue;
    }
}
