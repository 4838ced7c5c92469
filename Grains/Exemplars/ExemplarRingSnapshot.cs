using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// A compact binary image of an <see cref="ExemplarRing"/> for grain storage: series label sets once, label names
/// once, then every exemplar oldest first (value, varint timestamp, labels by name index). Restoring appends the
/// entries in that order to a new ring, which rebuilds the same ring (see <see cref="ExemplarRing.EntriesOldestFirst"/>).
/// </summary>
/// <remarks>
/// Layout: magic <c>OERS</c> (u32 LE), version (1 byte), then in version 2 the CRC-32C (u32 LE, as the WAL's frames)
/// of everything after it, then the body: capacity, label names, series, entries. Version 1 has no checksum and is
/// still read, so rings stored before it load; they are written as version 2 on their next write. Storage delivers
/// the bytes, not their integrity: a flipped bit in a blob or a file is what the checksum is for.
/// </remarks>
public static class ExemplarRingSnapshot
{
    internal const uint Magic = 0x5352454F; // "OERS"
    internal const byte Version1 = 1;
    internal const byte Version2 = 2;

    /// <summary>Magic, version and checksum: where the checksummed body of a version 2 snapshot starts.</summary>
    internal const int Version2BodyOffset = 9;

    /// <summary>Smallest entry: series index, value, has-timestamp, timestamp, label count.</summary>
    private const int MinEntryBytes = 1 + 8 + 1 + 1 + 1;

    public static byte[] Write(ExemplarRing ring) => ExemplarRingSnapshotWriter.Write(ring);

    /// <summary>A ring of <paramref name="capacity"/> holding the snapshot's exemplars (the newest, if it is smaller).</summary>
    /// <exception cref="RingSnapshotFormatException">The bytes are not a snapshot this version reads.</exception>
    public static ExemplarRing Read(ReadOnlySpan<byte> snapshot, int capacity)
    {
        var ring = Read(snapshot);
        if (capacity != ring.Capacity) ring.Resize(capacity);
        return ring;
    }

    /// <summary>The snapshot's ring, at the capacity it was stored with.</summary>
    /// <exception cref="RingSnapshotFormatException">The bytes are not a snapshot this version reads.</exception>
    public static ExemplarRing Read(ReadOnlySpan<byte> snapshot)
    {
        var reader = new BinaryFormatReader(snapshot, static message => new RingSnapshotFormatException("exemplar ring snapshot " + message));
        if (reader.UInt32() != Magic) throw reader.Error("does not start with its magic number");
        var version = reader.Byte();
        if (version == Version2)
        {
            var crc = reader.UInt32();
            if (WalFrame.Crc32C(reader.Rest) != crc) throw reader.Error("fails its CRC-32C check: the stored bytes were damaged");
        }
        else if (version != Version1)
        {
            throw reader.Error($"has unknown version {version}");
        }

        var storedCapacity = reader.Int();
        if (storedCapacity > ExemplarRing.MaxCapacity) throw reader.Error($"capacity {storedCapacity} exceeds the ring's limit");
        var names = new string[reader.Count(1, "label names")];
        for (var i = 0; i < names.Length; i++) names[i] = reader.String();
        var series = new LabelSet[reader.Count(1, "series")];
        for (var i = 0; i < series.Length; i++) series[i] = ReadLabels(ref reader, names);

        // Rebuilt at the stored capacity so eviction order is identical; the caller resizes if the configuration changed.
        var ring = new ExemplarRing(storedCapacity);
        var count = reader.Count(MinEntryBytes, "exemplars");
        if (count > storedCapacity) throw reader.Error($"{count} exemplars exceed the ring's capacity {storedCapacity}");
        for (var i = 0; i < count; i++)
        {
            var s = series[reader.Index(series.Length, "series")];
            var value = reader.Double();
            var hasTimestamp = reader.Byte() switch
            {
                0 => false,
                1 => true,
                var other => throw reader.Error($"has-timestamp flag {other}"),
            };
            var timestamp = reader.Long();
            // Stored once, so taken back under the rule that admits everything a ring may hold (see ExemplarOrder).
            ring.Append(s, new Exemplar(ReadLabels(ref reader, names), value, timestamp, hasTimestamp),
                ExemplarOrder.SameTimestampByValue);
        }
        reader.ExpectEnd();
        return ring;
    }

    private static LabelSet ReadLabels(ref BinaryFormatReader reader, string[] names)
    {
        // A label is a name index and a length-prefixed value: two bytes at least.
        var labels = new Label[reader.Count(2, "labels")];
        for (var i = 0; i < labels.Length; i++) labels[i] = new Label(names[reader.Index(names.Length, "label name")], reader.String());
        var set = LabelSet.FromOwnedArray(labels);
        var sorted = set.AsSpan();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i - 1].Name, sorted[i].Name, StringComparison.Ordinal)) throw reader.Error($"repeats label name {sorted[i].Name}");
        }
        return set;
    }
}
