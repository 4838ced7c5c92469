using System.IO;
using System.Text;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// The payload of one WAL record: the exemplars one metric grain stored in one call, with the metric name so replay
/// knows which grain they belong to. Binary, label strings length-prefixed UTF-8, numbers as in
/// <see cref="Exemplars.ExemplarRingSnapshot"/>; the frame around it (<see cref="WalFrame"/>) carries length and CRC.
/// </summary>
public static class WalExemplarRecord
{
    private const byte Version = 1;

    public static byte[] Encode(string metric, IReadOnlyList<SeriesExemplars> batch)
    {
        using var stream = new MemoryStream(64 + batch.Count * 128);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(metric);
            writer.Write7BitEncodedInt(batch.Count);
            foreach (var series in batch)
            {
                WriteLabels(writer, series.Series);
                writer.Write7BitEncodedInt(series.Exemplars.Length);
                foreach (var e in series.Exemplars)
                {
                    writer.Write(e.Value);
                    writer.Write((byte)(e.HasTimestamp ? 1 : 0));
                    writer.Write7BitEncodedInt64(e.TimestampMs);
                    WriteLabels(writer, e.Labels);
                }
            }
        }
        return stream.ToArray();
    }

    /// <exception cref="InvalidDataException">Not a record this version wrote (the frame's CRC matched, so a bug or a
    /// newer version, not a torn write).</exception>
    public static (string Metric, SeriesExemplars[] Batch) Decode(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        try
        {
            var version = reader.ReadByte();
            if (version != Version) throw new InvalidDataException($"unknown WAL record version {version}");
            var metric = reader.ReadString();
            var batch = new SeriesExemplars[reader.Read7BitEncodedInt()];
            for (var i = 0; i < batch.Length; i++)
            {
                var series = ReadLabels(reader);
                var exemplars = new Exemplar[reader.Read7BitEncodedInt()];
                for (var j = 0; j < exemplars.Length; j++)
                {
                    var value = reader.ReadDouble();
                    var hasTimestamp = reader.ReadByte() == 1;
                    var timestamp = reader.Read7BitEncodedInt64();
                    exemplars[j] = new Exemplar(ReadLabels(reader), value, timestamp, hasTimestamp);
                }
                batch[i] = new SeriesExemplars(series, exemplars);
            }
            return (metric, batch);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("WAL record ends early", e);
        }
    }

    private static void WriteLabels(BinaryWriter writer, LabelSet labels)
    {
        writer.Write7BitEncodedInt(labels.Count);
        foreach (var l in labels.AsSpan())
        {
            writer.Write(l.Name);
            writer.Write(l.Value);
        }
    }

    private static LabelSet ReadLabels(BinaryReader reader)
    {
        var labels = new Label[reader.Read7BitEncodedInt()];
        for (var i = 0; i < labels.Length; i++) labels[i] = new Label(reader.ReadString(), reader.ReadString());
        return LabelSet.FromOwnedArray(labels);
    }
}
