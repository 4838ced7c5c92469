using System.Buffers.Binary;
using System.Text;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Writes a remote-write 1.0 <c>WriteRequest</c> straight from <see cref="ForwardSeries"/> into one byte array, the
/// wire format of <c>remote_write_v1.proto</c> field for field, without building the generated message objects (a
/// <c>ByteString</c> and a <c>Label</c> per label was most of the cost of forwarding). A series that carries
/// <see cref="ForwardSeries.WireLabels"/> has them copied as they are: they are the bytes this writer would write. A
/// <see cref="ForwardSeries.Block"/> (a whole request kept as sent) is appended as it is, or without its exemplars when
/// they are not sent: serialized requests concatenate into one request.
/// </summary>
public static class WriteRequestV1Writer
{
    // Tags (field number << 3 | wire type); every field number here is below 16, so every tag is one byte.
    private const byte TimeSeriesTag = 1 << 3 | 2;     // WriteRequest.timeseries
    private const byte LabelsTag = 1 << 3 | 2;         // TimeSeries.labels, Exemplar.labels
    private const byte SamplesTag = 2 << 3 | 2;        // TimeSeries.samples
    private const byte ExemplarsTag = 3 << 3 | 2;      // TimeSeries.exemplars
    private const byte NameTag = 1 << 3 | 2;           // Label.name
    private const byte ValueTag = 2 << 3 | 2;          // Label.value
    private const byte DoubleTag = 1 << 3 | 1;         // Sample.value
    private const byte TimestampTag = 2 << 3 | 0;      // Sample.timestamp
    private const byte ExemplarValueTag = 2 << 3 | 1;  // Exemplar.value
    private const byte ExemplarTsTag = 3 << 3 | 0;     // Exemplar.timestamp
    private const int Tag = 1;

    /// <summary>The serialized request (not compressed) for the series that have samples or, when sent, exemplars.</summary>
    public static byte[] Write(IReadOnlyList<ForwardSeries> batch, bool sendExemplars)
    {
        var sizes = new int[batch.Count];
        byte[]?[]? blocks = null;
        var total = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!HasContent(batch[i], sendExemplars)) continue;
            if (batch[i].Block is { } block)
            {
                blocks ??= new byte[batch.Count][];
                blocks[i] = sendExemplars || block.Exemplars == 0 ? block.Bytes : RemoteWriteV1Reader.WithoutExemplars(block.Bytes);
                total += blocks[i]!.Length;
                continue;
            }
            sizes[i] = SeriesSize(batch[i], sendExemplars);
            total += Tag + VarintSize((uint)sizes[i]) + sizes[i];
        }
        var buffer = new byte[total];
        var output = buffer.AsSpan();
        var pos = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!HasContent(batch[i], sendExemplars)) continue;
            if (blocks?[i] is { } bytes)
            {
                bytes.CopyTo(output[pos..]);
                pos += bytes.Length;
                continue;
            }
            output[pos++] = TimeSeriesTag;
            WriteVarint(output, ref pos, (uint)sizes[i]);
            WriteSeries(output, ref pos, batch[i], sendExemplars);
        }
        if (pos != total) throw new InvalidOperationException($"wrote {pos} bytes of a request of {total}");
        return buffer;
    }

    public static bool HasContent(ForwardSeries series, bool sendExemplars) => series.Block is { } block
        ? block.Samples > 0 || (sendExemplars && block.Exemplars > 0)
        : series.Samples.Length > 0 || (sendExemplars && series.Exemplars.Length > 0);

    private static int SeriesSize(ForwardSeries series, bool sendExemplars)
    {
        var size = series.WireLabels is { } wire ? wire.Length : LabelsSize(series.Labels);
        foreach (var s in series.Samples)
        {
            var sample = SampleSize(s.TimestampMs);
            size += Tag + VarintSize((uint)sample) + sample;
        }
        if (sendExemplars)
        {
            foreach (var e in series.Exemplars)
            {
                var exemplar = ExemplarSize(e);
                size += Tag + VarintSize((uint)exemplar) + exemplar;
            }
        }
        return size;
    }

    private static int LabelsSize(LabelSet labels)
    {
        var size = 0;
        foreach (ref readonly var label in labels.AsSpan())
        {
            var l = LabelSize(label);
            size += Tag + VarintSize((uint)l) + l;
        }
        return size;
    }

    private static int LabelSize(in Label label) => StringFieldSize(label.Name) + StringFieldSize(label.Value);

    private static int StringFieldSize(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        return Tag + VarintSize((uint)bytes) + bytes;
    }

    private static int SampleSize(long timestampMs) => Tag + 8 + Tag + VarintSize((ulong)timestampMs);

    private static int ExemplarSize(in Exemplar e) =>
        LabelsSize(e.Labels) + Tag + 8 + Tag + VarintSize((ulong)(e.HasTimestamp ? e.TimestampMs : 0));

    private static void WriteSeries(Span<byte> output, ref int pos, ForwardSeries series, bool sendExemplars)
    {
        if (series.WireLabels is { } wire)
        {
            wire.CopyTo(output[pos..]);
            pos += wire.Length;
        }
        else
        {
            WriteLabels(output, ref pos, series.Labels);
        }
        foreach (var s in series.Samples)
        {
            output[pos++] = SamplesTag;
            WriteVarint(output, ref pos, (uint)SampleSize(s.TimestampMs));
            output[pos++] = DoubleTag;
            BinaryPrimitives.WriteDoubleLittleEndian(output[pos..], s.Value);
            pos += 8;
            output[pos++] = TimestampTag;
            WriteVarint(output, ref pos, (ulong)s.TimestampMs);
        }
        if (!sendExemplars) return;
        foreach (var e in series.Exemplars)
        {
            output[pos++] = ExemplarsTag;
            WriteVarint(output, ref pos, (uint)ExemplarSize(e));
            WriteLabels(output, ref pos, e.Labels);
            output[pos++] = ExemplarValueTag;
            BinaryPrimitives.WriteDoubleLittleEndian(output[pos..], e.Value);
            pos += 8;
            output[pos++] = ExemplarTsTag;
            WriteVarint(output, ref pos, (ulong)(e.HasTimestamp ? e.TimestampMs : 0));
        }
    }

    private static void WriteLabels(Span<byte> output, ref int pos, LabelSet labels)
    {
        foreach (ref readonly var label in labels.AsSpan())
        {
            output[pos++] = LabelsTag;
            WriteVarint(output, ref pos, (uint)LabelSize(label));
            WriteString(output, ref pos, NameTag, label.Name);
            WriteString(output, ref pos, ValueTag, label.Value);
        }
    }

    private static void WriteString(Span<byte> output, ref int pos, byte tag, string value)
    {
        output[pos++] = tag;
        WriteVarint(output, ref pos, (uint)Encoding.UTF8.GetByteCount(value));
        pos += Encoding.UTF8.GetBytes(value, output[pos..]);
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    private static void WriteVarint(Span<byte> output, ref int pos, ulong value)
    {
        while (value >= 0x80)
        {
            output[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }
        output[pos++] = (byte)value;
    }
}
