using OrleansExemplars.Grains.Exemplars;

namespace OrleansExemplars.Grains;

/// <summary>A metric grain's stored state: its ring as an <see cref="ExemplarRingSnapshot"/>.</summary>
[GenerateSerializer]
public sealed class MetricRingState : IDecodedOnRead
{
    [Id(0)] public byte[]? Snapshot { get; set; }

    /// <summary>The snapshot's ring, once <see cref="DecodeStored"/> decoded it.</summary>
    [NonSerialized] private ExemplarRing? _ring;

    /// <exception cref="RingSnapshotFormatException">The stored snapshot is damaged.</exception>
    public void DecodeStored() => _ring = Snapshot is { Length: > 0 } snapshot ? ExemplarRingSnapshot.Read(snapshot) : null;

    /// <summary>
    /// The ring to start with, at <paramref name="capacity"/>: the one decoded on read, or the snapshot's (storage that
    /// keeps objects, not bytes, never decodes), or an empty one. The snapshot is let go: it is rewritten on the next
    /// persist, and holding it beside its ring would double the grain's memory until then.
    /// </summary>
    /// <exception cref="RingSnapshotFormatException">The snapshot was not decoded on read and is damaged.</exception>
    public ExemplarRing TakeRing(int capacity)
    {
        var ring = _ring ?? (Snapshot is { Length: > 0 } snapshot ? ExemplarRingSnapshot.Read(snapshot) : new ExemplarRing(capacity));
        _ring = null;
        Snapshot = null;
        if (ring.Capacity != capacity) ring.Resize(capacity);
        return ring;
    }
}
