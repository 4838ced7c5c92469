using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Wire;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// The payload of one WAL record: the exemplars one metric grain stored in one call, with the metric name so replay
/// knows which grain they belong to; the frame around it (<see cref="WalFrame"/>) carries length and CRC.
/// </summary>
/// <remarks>
/// Version 2 (written): <c>[2][metric][name count][names…][series count]</c>, then per series its labels as
/// <c>(name index, value)</c> pairs and its exemplars as <c>value (8 bytes LE), has-timestamp (1), timestamp (varint),
/// labels</c>. Label names repeat across the series of a record (<c>job</c>, <c>instance</c>, <c>le</c>, <c>trace_id</c>), so
/// they are written once; strings are length-prefixed UTF-8 as <see cref="BinaryWriter"/> writes them, and the record
/// is written straight into one pooled buffer. Version 1 (label names inline) is still read: a log written before an
/// upgrade is replayed after it.
/// </remarks>
public static class WalExemplarRecord
{
    private const byte Version1 = 1;
    private const byte Version2 = 2;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Dictionary<string, int>? t_names;

    public static byte[] Encode(string metric, IReadOnlyList<SeriesExemplars> batch)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var names = t_names ??= new Dictionary<string, int>(StringComparer.Ordinal);
        buffer.ResetWrittenCount();
        names.Clear();
        try
        {
            foreach (var series in batch)
            {
                foreach (var l in series.Series.AsSpan()) names.TryAdd(l.Name, names.Count);
                foreach (var e in series.Exemplars)
                {
                    foreach (var l in e.Labels.AsSpan()) names.TryAdd(l.Name, names.Count);
                }
            }

            WriteByte(buffer, Version2);
            WriteString(buffer, metric);
            WriteVarint(buffer, (ulong)names.Count);
            foreach (var name in names.Keys) WriteString(buffer, name);
            WriteVarint(buffer, (ulong)batch.Count);
            foreach (var series in batch)
            {
                WriteLabels(buffer, series.Series, names);
                WriteVarint(buffer, (ulong)series.Exemplars.Length);
                foreach (var e in series.Exemplars)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), BitConverter.DoubleToInt64Bits(e.Value));
                    buffer.Advance(8);
                    WriteByte(buffer, (byte)(e.HasTimestamp ? 1 : 0));
                    WriteVarint(buffer, (ulong)e.TimestampMs);
                    WriteLabels(buffer, e.Labels, names);
                }
            }
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            // A huge record should not pin its buffer to the thread for ever.
            if (buffer.Capacity > 1 << 20) t_buffer = null;
        }
    }

    /// <exception cref="WalRecordFormatException">Not a record this version wrote (the frame's CRC matched, so a bug or a
    /// newer version, not a torn write).</exception>
    public static (string Metric, SeriesExemplars[] Batch) Decode(byte[] payload) => Decode(payload.AsSpan());

    /// <inheritdoc cref="Decode(byte[])"/>
    public static (string Metric, SeriesExemplars[] Batch) Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new BinaryFormatReader(payload, static message => new WalRecordFormatException("WAL record " + message));
        var version = reader.Byte();
        if (version is not (Version1 or Version2)) throw reader.Error($"has unknown version {version}");
        var metric = reader.String();
        string[]? names = null;
        if (version == Version2)
        {
            names = new string[reader.Count(1, "label names")];
            for (var i = 0; i < names.Length; i++) names[i] = string.Intern(reader.String());
        }
        // A series is at least its label count and its exemplar count; an exemplar its value, flag, timestamp, label count.
        var batch = new SeriesExemplars[reader.Count(2, "series")];
        for (var i = 0; i < batch.Length; i++)
        {
            var series = ReadLabels(ref reader, names);
            var exemplars = new Exemplar[reader.Count(8 + 1 + 1 + 1, "exemplars")];
            for (var j = 0; j < exemplars.Length; j++)
            {
                var value = reader.Double();
                var hasTimestamp = reader.Byte() == 1;
                var timestamp = reader.Long();
                exemplars[j] = new Exemplar(ReadLabels(ref reader, names), value, timestamp, hasTimestamp);
            }
            batch[i] = new SeriesExemplars(series, exemplars);
        }
        reader.ExpectEnd();
        return (metric, batch);
    }

    private static void WriteLabels(ArrayBufferWriter<byte> buffer, LabelSet labels, Dictionary<string, int> names)
    {
        WriteVarint(buffer, (ulong)labels.Count);
        foreach (var l in labels.AsSpan())
        {
            WriteVarint(buffer, (ulong)names[l.Name]);
            WriteString(buffer, l.Value);
        }
    }

    private static LabelSet ReadLabels(ref BinaryFormatReader reader, string[]? names)
    {
        // A label is a name (inline, or an index) and a length-prefixed value: two bytes at least.
        var labels = new Label[reader.Count(2, "labels")];
        for (var i = 0; i < labels.Length; i++)
        {
            var name = names is null ? reader.String() : names[reader.Index(names.Length, "label name")];
            labels[i] = new Label(name, reader.String());
        }
        return LabelSet.FromOwnedArray(labels);
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    /// <summary>The 7-bit varint <see cref="BinaryReader.Read7BitEncodedInt64"/> reads.</summary>
    private static void WriteVarint(ArrayBufferWriter<byte> buffer, ulong value) =>
        buffer.Advance(Varint.Write(buffer.GetSpan(Varint.MaxLength), value));

    /// <summary>Length-prefixed UTF-8, as <see cref="BinaryWriter.Write(string)"/> writes it.</summary>
    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint(buffer, (ulong)length);
        var written = Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(written);
    }
}
