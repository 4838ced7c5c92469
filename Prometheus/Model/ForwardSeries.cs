namespace OrleansExemplars.Prometheus.Model;

/// <summary>A float sample as Prometheus' remote write carries it.</summary>
[GenerateSerializer, Immutable]
public readonly record struct Sample([property: Id(0)] double Value, [property: Id(1)] long TimestampMs);

/// <summary>
/// One series' samples (and exemplars) on their way to the TSDBs: the unit the forwarders batch into remote-write
/// requests. Samples are in the order they arrived, which is the order they are sent.
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
    [NonSerialized] private LabelSet? _decoded;

    public ForwardSeries(LabelSet labels, Sample[] samples, Exemplar[] exemplars)
    {
        _labels = labels;
        Samples = samples;
        Exemplars = exemplars;
    }

    /// <param name="wireLabels">
    /// The labels, sorted by name as <see cref="LabelSet"/> sorts them, unique, valid UTF-8, as repeated
    /// <c>TimeSeries.labels</c> fields (see <see cref="LabelWireFormat"/>). Owned by the series from now on.
    /// </param>
    public ForwardSeries(byte[] wireLabels, Sample[] samples, Exemplar[] exemplars)
    {
        _wireLabels = wireLabels;
        Samples = samples;
        Exemplars = exemplars;
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

    /// <summary>Samples carried: the series' own, or the block's.</summary>
    public int SampleCount => _block?.Samples ?? Samples.Length;

    public LabelSet Labels => _labels ?? (_decoded ??= LabelWireFormat.Decode(_wireLabels ?? []));

    /// <summary>The labels in the 1.0 wire form when the series was built from it; null otherwise.</summary>
    public byte[]? WireLabels => _wireLabels;

    [Id(1)] public Sample[] Samples { get; }

    [Id(2)] public Exemplar[] Exemplars { get; }
}
