using System.IO;
using System.Text;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// A compact binary image of an <see cref="ExemplarRing"/> for grain storage: series label sets once, label names
/// once, then every exemplar oldest first (value, varint timestamp, labels by name index). Restoring appends the
/// entries in that order to a new ring, which rebuilds the same ring (see <see cref="ExemplarRing.EntriesOldestFirst"/>).
/// </summary>
public static class ExemplarRingSnapshot
{
    private const uint Magic = 0x5352454F; // "OERS"
    private const byte Version = 1;

    public static byte[] Write(ExemplarRing ring) => ExemplarRingSnapshotWriter.Write(ring, Magic, Version);

    /// <summary>A ring of <paramref name="capacity"/> holding the snapshot's exemplars (the newest, if it is smaller).</summary>
    public static ExemplarRing Read(ReadOnlySpan<byte> snapshot, int capacity)
    {
        using var stream = new MemoryStream(snapshot.ToArray());
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        if (reader.ReadUInt32() != Magic) throw new InvalidDataException("not an exemplar ring snapshot");
        var version = reader.ReadByte();
        if (version != Version) throw new InvalidDataException($"unknown exemplar ring snapshot version {version}");
        var storedCapacity = reader.Read7BitEncodedInt();
        var names = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < names.Length; i++) names[i] = reader.ReadString();
        var series = new LabelSet[reader.Read7BitEncodedInt()];
        for (var i = 0; i < series.Length; i++) series[i] = ReadLabels(reader, names);

        // Rebuilt at the stored capacity so eviction order is identical, then resized if the configuration changed.
        var ring = new ExemplarRing(storedCapacity);
        var count = reader.Read7BitEncodedInt();
        for (var i = 0; i < count; i++)
        {
            var s = series[reader.Read7BitEncodedInt()];
            var value = reader.ReadDouble();
            var hasTimestamp = reader.ReadByte() == 1;
            var timestamp = reader.Read7BitEncodedInt64();
            ring.Append(s, new Exemplar(ReadLabels(reader, names), value, timestamp, hasTimestamp));
        }
        if (capacity != storedCapacity) ring.Resize(capacity);
        return ring;
    }

    private static LabelSet ReadLabels(BinaryReader reader, string[] names)
    {
        var labels = new Label[reader.Read7BitEncodedInt()];
        for (var i = 0; i < labels.Length; i++) labels[i] = new Label(names[reader.Read7BitEncodedInt()], reader.ReadString());
        return LabelSet.FromOwnedArray(labels);
    }
}
