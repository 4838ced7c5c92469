using System.Text;
using OrleansExemplars.Prometheus.Wire;
using static OrleansExemplars.Prometheus.Wire.RemoteWriteV1Tags;

namespace OrleansExemplars.Prometheus.Model;

/// <summary>
/// A label set in the remote-write 1.0 wire form, as <c>WriteRequestV1Writer</c> writes a series' labels: for each
/// label, sorted by name, a <c>TimeSeries.labels</c> field (tag 1, length-delimited) holding a <c>Label</c> with its
/// name (tag 1) and then its value (tag 2), both always present.
/// </summary>
public static class LabelWireFormat
{
    /// <summary>The label set <paramref name="wire"/> (which must be well formed) holds.</summary>
    public static LabelSet Decode(ReadOnlySpan<byte> wire)
    {
        var count = 0;
        for (var reader = new Reader(wire); reader.Next(out _, out _);) count++;
        if (count == 0) return LabelSet.Empty;
        var labels = new Label[count];
        var i = 0;
        for (var reader = new Reader(wire); reader.Next(out var name, out var value);)
        {
            labels[i++] = new Label(Encoding.UTF8.GetString(name), Encoding.UTF8.GetString(value));
        }
        return LabelSet.FromOwnedArray(labels);
    }

    /// <summary>The bytes of one label in the wire form.</summary>
    public static int LabelSize(int nameBytes, int valueBytes)
    {
        var inner = 1 + Varint.Size((uint)nameBytes) + nameBytes + 1 + Varint.Size((uint)valueBytes) + valueBytes;
        return 1 + Varint.Size((uint)inner) + inner;
    }

    /// <summary>Writes one label at <paramref name="pos"/>, which moves past it.</summary>
    public static void WriteLabel(Span<byte> output, ref int pos, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var inner = 1 + Varint.Size((uint)name.Length) + name.Length + 1 + Varint.Size((uint)value.Length) + value.Length;
        output[pos++] = LabelsTag;
        Varint.Write(output, ref pos, (uint)inner);
        output[pos++] = NameTag;
        Varint.Write(output, ref pos, (uint)name.Length);
        name.CopyTo(output[pos..]);
        pos += name.Length;
        output[pos++] = ValueTag;
        Varint.Write(output, ref pos, (uint)value.Length);
        value.CopyTo(output[pos..]);
        pos += value.Length;
    }

    /// <summary>Writes one label from its strings (UTF-8 encoded in place, byte counts given) at <paramref name="pos"/>.</summary>
    public static void WriteLabel(Span<byte> output, ref int pos, string name, int nameBytes, string value, int valueBytes)
    {
        var inner = 1 + Varint.Size((uint)nameBytes) + nameBytes + 1 + Varint.Size((uint)valueBytes) + valueBytes;
        output[pos++] = LabelsTag;
        Varint.Write(output, ref pos, (uint)inner);
        output[pos++] = NameTag;
        Varint.Write(output, ref pos, (uint)nameBytes);
        pos += Encoding.UTF8.GetBytes(name, output[pos..]);
        output[pos++] = ValueTag;
        Varint.Write(output, ref pos, (uint)valueBytes);
        pos += Encoding.UTF8.GetBytes(value, output[pos..]);
    }

    /// <summary>Walks the labels of a well-formed wire form.</summary>
    public ref struct Reader(ReadOnlySpan<byte> wire)
    {
        private readonly ReadOnlySpan<byte> _wire = wire;
        private int _pos;

        public bool Next(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
        {
            if (_pos >= _wire.Length)
            {
                name = value = default;
                return false;
            }
            _pos++;                   // 0x0A: TimeSeries.labels
            Varint.ReadTrusted(_wire, ref _pos); // the Label's length
            _pos++;                   // 0x0A: Label.name
            var n = Varint.ReadTrusted(_wire, ref _pos);
            name = _wire.Slice(_pos, n);
            _pos += n;
            _pos++;                   // 0x12: Label.value
            var v = Varint.ReadTrusted(_wire, ref _pos);
            value = _wire.Slice(_pos, v);
            _pos += v;
            return true;
        }
    }
}
