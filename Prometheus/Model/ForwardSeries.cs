namespace OrleansExemplars.Prometheus.Model;

/// <summary>A float sample as Prometheus' remote write carries it.</summary>
[GenerateSerializer, Immutable]
public readonly record struct Sample([property: Id(0)] double Value, [property: Id(1)] long TimestampMs);

/// <summary>
/// One series' samples, native histograms (and exemplars) on their way to the TSDBs: the unit the forwarders batch into
/// remote-write requests. Samples and histograms are each in the order they arrived, which is the order they are sent.
/// <para>
/// The labels are held either as a <see cref="LabelSet"/> or, for a series the receiver only forwards (no
/// exemplars), as <see cref="WireLabels"/>: the series' sorted labels already in the remote-write 1.0 wire form,
/// which the 1.0 writer copies and the forward shard hash reads without building strings.
/// <see cref="Labels"/> works for both (decoding the wire form on first use).
/// </para>
/// <para>
/// A third form stands for many series at once: a <see cref="WriteRequestBlock"/>, a whole validated request
/// forwarded as its bytes (Kafka messages, whose series a partition keeps in order). It has no labels, samples or
/// exemplars of its own; <see cref="SampleCount"/> counts the block's.
/// </para>
/// </summary>
[GenerateSerializer, Immutable]
public sealed class ForwardSeries
{
    [Id(0)] private readonly LabelSet? _labels;
    [Id(3)] private readonly byte[]? _wireLabels;
    [Id(4)] private readonly WriteRequestBlock? _block;
    [Id(5)] private readonly NativeHistogram[]? _histograms;
    [Id(6)] private readonly long[]? _startTimestamps;
    [NonSerialized] private LabelSet? _decoded;

    /// <param name="histograms">Native-histogram samples (none when null).</param>
    /// <param name="sampleStartTimestamps">
    /// Remote write 2.0's <c>Sample.start_timestamp</c> of each sample, in the same order; null when every one is 0 (unset).
    /// </param>
    public ForwardSeries(LabelSet labels, Sample[] samples, Exemplar[] exemplars, NativeHistogram[]? histograms = null,
        long[]? sampleStartTimestamps = null)
    {
        _labels = labels;
        Samples = samples;
        Exemplars = exemplars;
        _histograms = histograms is { Length: > 0 } ? histograms : null;
        _startTimestamps = CheckStartTimestamps(samples, sampleStartTimestamps);
    }

    /// <param name="wireLabels">
    /// The labels, sorted by name as <see cref="LabelSet"/> sorts them, unique, valid UTF-8, as repeated
    /// <c>TimeSeries.labels</c> fields (see <see cref="LabelWireFormat"/>). Owned by the series from now on.
    /// </param>
    public ForwardSeries(byte[] wireLabels, Sample[] samples, Exemplar[] exemplars, NativeHistogram[]? histograms = null)
    {
        _wireLabels = wireLabels;
        Samples = samples;
        Exemplars = exemplars;
        _histograms = histograms is { Length: > 0 } ? histograms : null;
    }

    /// <summary>A block of series forwarded as serialized bytes (see <see cref="WriteRequestBlock"/>).</summary>
    public ForwardSeries(WriteRequestBlock block)
    {
        _block = block;
        Samples = [];
        Exemplars = [];
    }

    /// <summary>The block this stands for; null for a single series.</summary>
    public WriteRequestBlock? Block => _block;

    /// <summary>Float samples carried: the series' own, or the block's.</summary>
    public int SampleCount => _block?.Samples ?? Samples.Length;

    /// <summary>Native-histogram samples carried (a block has none: a request with histograms is never kept whole).</summary>
    public int HistogramCount => _histograms?.Length ?? 0;

    /// <summary>The native-histogram samples, in the order they arrived.</summary>
    public NativeHistogram[] Histograms => _histograms ?? [];

    /// <summary>
    /// Remote write 2.0's start timestamp of each of <see cref="Samples"/> (same order), or null when none was set. Remote
    /// write 1.0 has no such field.
    /// </summary>
    public long[]? SampleStartTimestamps => _startTimestamps;

    public LabelSet Labels => _labels ?? (_decoded ??= LabelWireFormat.Decode(_wireLabels ?? []));

    /// <summary>The labels in the 1.0 wire form when the series was built from it; null otherwise.</summary>
    public byte[]? WireLabels => _wireLabels;

    [Id(1)] public Sample[] Samples { get; }

    [Id(2)] public Exemplar[] Exemplars { get; }

    private static long[]? CheckStartTimestamps(Sample[] samples, long[]? startTimestamps)
    {
        if (startTimestamps is null) return null;
        if (startTimestamps.Length != samples.Length)
        {
            throw new ArgumentException($"{startTimestamps.Length} start timestamps for {samples.Length} samples", nameof(startTimestamps));
        }
        return startTimestamps.AsSpan().ContainsAnyExcept(0L) ? startTimestamps : null;
    }
}
