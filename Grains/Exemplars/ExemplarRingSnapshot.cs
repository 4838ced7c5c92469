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

    public static byte[] Write(ExemplarRing ring)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            var entries = ring.EntriesOldestFirst().ToList();
            var series = new Dictionary<LabelSet, int>();
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (s, e) in entries)
            {
                series.TryAdd(s, series.Count);
                foreach (var l in s.AsSpan()) names.TryAdd(l.Name, names.Count);
                foreach (var l in e.Labels.AsSpan()) names.TryAdd(l.Name, names.Count);
            }

            writer.Write(Magic);
            writer.Write(Version);
            writer.Write7BitEncodedInt(ring.Capacity);
            writer.Write7BitEncodedInt(names.Count);
            foreach (var name in names.Keys) writer.Write(name);
            writer.Write7BitEncodedInt(series.Count);
            foreach (var s in series.Keys) WriteLabels(writer, s, names);
            writer.Write7BitEncodedInt(entries.Count);
            foreach (var (s, e) in entries)
            {
                writer.Write7BitEncodedInt(series[s]);
                writer.Write(e.Value);
                writer.Write((byte)(e.HasTimestamp ? 1 : 0));
                writer.Write7BitEncodedInt64(e.TimestampMs);
                WriteLabels(writer, e.Labels, names);
            }
        }
        return stream.ToArray();
    }

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

    private static void WriteLabels(BinaryWriter writer, LabelSet labels, Dictionary<string, int> names)
    {
        writer.Write7BitEncodedInt(labels.Count);
        foreach (var l in labels.AsSpan())
        {
            writer.Write7BitEncodedInt(names[l.Name]);
            writer.Write(l.Value);
        }
    }

    private static LabelSet ReadLabels(BinaryReader reader, string[] names)
    {
        var labels = new Label[reader.Read7BitEncodedInt()];
        for (var i = 0; i < labels.Length; i++) labels[i] = new Label(names[reader.Read7BitEncodedInt()], reader.ReadString());
        return LabelSet.FromOwnedArray(labels);
    }
}
