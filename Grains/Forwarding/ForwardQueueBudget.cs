using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// The silo's cap on memory queued for forwarding (<c>RemoteWrite:MaxQueuedBytes</c>), shared by all its forwarder
/// grains: every batch holds its estimated size (<see cref="EstimateBytes(IReadOnlyList{ForwardSeries})"/>) from the
/// moment it is queued until every endpoint took it. Batches from <c>/api/v1/write</c> must fit
/// (<see cref="TryReserve"/>: the API host answers 503 with <c>Retry-After</c> otherwise, and the sender resends); Kafka
/// deliveries are always taken (<see cref="Reserve"/>) and count against the cap, since the stream cache already bounds
/// them and refusing would only have the pulling agent deliver them again. Thread-safe.
/// </summary>
public sealed class ForwardQueueBudget
{
    // Rough costs of the objects a queued series keeps alive (64-bit runtime): enough to bound memory, not to account it.
    private const int SeriesOverhead = 96; // the ForwardSeries, its sample and exemplar arrays, the queue item
    private const int SampleBytes = 16;
    private const int StringOverhead = 24;
    private const int ExemplarOverhead = 48;
    private const int HistogramOverhead = 160; // the NativeHistogram and its seven arrays
    private const int StartTimestampBytes = 8;

    private readonly Action<long>? _changed;
    private long _queued;

    /// <param name="changed">Hears every change of <see cref="QueuedBytes"/> (the metric).</param>
    public ForwardQueueBudget(long maxBytes, Action<long>? changed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxBytes = maxBytes;
        _changed = changed;
    }

    public long MaxBytes { get; }

    /// <summary>Estimated bytes of the batches queued now, on this silo.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queued);

    /// <summary>
    /// Takes <paramref name="bytes"/> when they fit under <see cref="MaxBytes"/>, or when nothing is queued: a batch larger
    /// than the cap is then refused only while others wait, never forever.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        var current = Interlocked.Read(ref _queued);
        while (true)
        {
            if (current > 0 && current + bytes > MaxBytes) return false;
            var seen = Interlocked.CompareExchange(ref _queued, current + bytes, current);
            if (seen == current)
            {
                _changed?.Invoke(bytes);
                return true;
            }
            current = seen;
        }
    }

    /// <summary>Takes <paramref name="bytes"/> whatever is queued (Kafka deliveries).</summary>
    public void Reserve(long bytes)
    {
        Interlocked.Add(ref _queued, bytes);
        _changed?.Invoke(bytes);
    }

    public void Release(long bytes)
    {
        Interlocked.Add(ref _queued, -bytes);
        _changed?.Invoke(-bytes);
    }

    /// <summary>What <paramref name="series"/> keep alive while queued, roughly (labels, samples, histograms, exemplars, objects).</summary>
    public static long EstimateBytes(IReadOnlyList<ForwardSeries> series)
    {
        long bytes = 0;
        foreach (var s in series) bytes += EstimateBytes(s);
        return bytes;
    }

    public static long EstimateBytes(ForwardSeries series)
    {
        if (series.Block is { } block) return SeriesOverhead + block.Bytes.Length;
        // A series built from the wire keeps its labels as those bytes; reading Labels would decode them.
        var labels = series.WireLabels is { } wire ? wire.Length : LabelBytes(series.Labels);
        long exemplars = 0;
        foreach (var e in series.Exemplars) exemplars += ExemplarOverhead + LabelBytes(e.Labels);
        long histograms = 0;
        foreach (var h in series.Histograms) histograms += HistogramBytes(h);
        var starts = series.SampleStartTimestamps is null ? 0 : (long)series.Samples.Length * StartTimestampBytes;
        return SeriesOverhead + labels + (long)series.Samples.Length * SampleBytes + starts + exemplars + histograms;
    }

    /// <summary>A histogram's object and arrays: 8 bytes a span, a delta, a count and a custom bound.</summary>
    private static long HistogramBytes(NativeHistogram h) =>
        HistogramOverhead + 8L * (h.NegativeSpans.Length + h.NegativeDeltas.Length + h.NegativeCounts.Length +
                                  h.PositiveSpans.Length + h.PositiveDeltas.Length + h.PositiveCounts.Length + h.CustomValues.Length);

    private static long LabelBytes(LabelSet labels)
    {
        long bytes = 0;
        foreach (var label in labels.AsSpan())
        {
            bytes += 2 * StringOverhead + 2L * (label.Name.Length + label.Value.Length);
        }
        return bytes;
    }
}
