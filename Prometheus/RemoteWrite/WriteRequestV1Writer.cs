using System.Buffers.Binary;
using System.Text;
using OrleansExemplars.Prometheus.Model;

using OrleansExemplars.Prometheus.Wire;
using static OrleansExemplars.Prometheus.Wire.RemoteWriteV1Tags;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Writes a remote-write 1.0 <c>WriteRequest</c> straight from <see cref="ForwardSeries"/> into one byte array, the
/// wire format of <c>remote_write_v1.proto</c> field for field, without building the generated message objects (a
/// <c>ByteString</c> and a <c>Label</c> per label was most of the cost of forwarding). A series that carries
/// <see cref="ForwardSeries.WireLabels"/> has them copied as they are: they are the bytes this writer would write. A
/// <see cref="ForwardSeries.Block"/> (a whole request kept as sent) is appended as it is, or without its exemplars when
/// they are not sent: serialized requests concatenate into one request. Native histograms go in <c>TimeSeries.histograms</c>
/// (field 4) with the series' float samples; 1.0 has no start timestamps, so those of 2.0 senders are not sent.
/// </summary>
public static class WriteRequestV1Writer
{
    private const int Tag = 1;

    /// <summary>The serialized request (not compressed) for the series that have samples, histograms or, when sent, exemplars.</summary>
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
            total += Tag + Varint.Size((uint)sizes[i]) + sizes[i];
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
            Varint.Write(output, ref pos, (uint)sizes[i]);
            WriteSeries(output, ref pos, batch[i], sendExemplars);
        }
        if (pos != total) throw new InvalidOperationException($"wrote {pos} bytes of a request of {total}");
        return buffer;
    }

    public static bool HasContent(ForwardSeries series, bool sendExemplars) => series.Block is { } block
        ? block.Samples > 0 || (sendExemplars && block.Exemplars > 0)
        : series.Samples.Length > 0 || series.HistogramCount > 0 || (sendExemplars && series.Exemplars.Length > 0);

    private static int SeriesSize(ForwardSeries series, bool sendExemplars)
    {
        var size = series.WireLabels is { } wire ? wire.Length : LabelsSize(series.Labels);
        foreach (var s in series.Samples)
        {
            var sample = SampleSize(s.TimestampMs);
            size += Tag + Varint.Size((uint)sample) + sample;
        }
        if (sendExemplars)
        {
            foreach (var e in series.Exemplars)
            {
                var exemplar = ExemplarSize(e);
                size += Tag + Varint.Size((uint)exemplar) + exemplar;
            }
        }
        foreach (var h in series.Histograms)
        {
            var histogram = HistogramWire.Size(h);
            size += Tag + Varint.Size((uint)histogram) + histogram;
        }
        return size;
    }

    private static int LabelsSize(LabelSet labels)
    {
        var size = 0;
        foreach (ref readonly var label in labels.AsSpan())
        {
            var l = LabelSize(label);
            size += Tag + Varint.Size((uint)l) + l;
        }
        return size;
    }

    private static int LabelSize(in Label label) => StringFieldSize(label.Name) + StringFieldSize(label.Value);

    private static int StringFieldSize(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        return Tag + Varint.Size((uint)bytes) + bytes;
    }

    private static int SampleSize(long timestampMs) => Tag + 8 + Tag + Varint.Size((ulong)timestampMs);

    private static int ExemplarSize(in Exemplar e) =>
        LabelsSize(e.Labels) + Tag + 8 + Tag + Varint.Size((ulong)(e.HasTimestamp ? e.TimestampMs : 0));

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
            Varint.Write(output, ref pos, (uint)SampleSize(s.TimestampMs));
            output[pos++] = SampleValueTag;
            BinaryPrimitives.WriteDoubleLittleEndian(output[pos..], s.Value);
            pos += 8;
            output[pos++] = SampleTsTag;
            Varint.Write(output, ref pos, (ulong)s.TimestampMs);
        }
        if (sendExemplars) WriteExemplars(output, ref pos, series);
        foreach (var h in series.Histograms)
        {
            output[pos++] = HistogramsTag;
            Varint.Write(output, ref pos, (uint)HistogramWire.Size(h));
            HistogramWire.Write(output, ref pos, h);
        }
    }

    private static void WriteExemplars(Span<byte> output, ref int pos, ForwardSeries series)
    {
        foreach (var e in series.Exemplars)
        {
            output[pos++] = ExemplarsTag;
            Varint.Write(output, ref pos, (uint)ExemplarSize(e));
            WriteLabels(output, ref pos, e.Labels);
            output[pos++] = ExemplarValueTag;
            BinaryPrimitives.WriteDoubleLittleEndian(output[pos..], e.Value);
            pos += 8;
            output[pos++] = ExemplarTsTag;
            Varint.Write(output, ref pos, (ulong)(e.HasTimestamp ? e.TimestampMs : 0));
        }
    }

    private static void WriteLabels(Span<byte> output, ref int pos, LabelSet labels)
    {
        foreach (ref readonly var label in labels.AsSpan())
        {
            output[pos++] = LabelsTag;
            Varint.Write(output, ref pos, (uint)LabelSize(label));
            WriteString(output, ref pos, NameTag, label.Name);
            WriteString(output, ref pos, ValueTag, label.Value);
        }
    }

    private static void WriteString(Span<byte> output, ref int pos, byte tag, string value)
    {
        output[pos++] = tag;
        Varint.Write(output, ref pos, (uint)Encoding.UTF8.GetByteCount(value));
        pos += Encoding.UTF8.GetBytes(value, output[pos..]);
    }
}
