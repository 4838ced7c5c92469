using System.Buffers.Binary;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Wire;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// A <see cref="NativeHistogram"/> as the body of a remote-write 1.0 <c>prometheus.Histogram</c> (fields 1 to 16), written
/// as Google.Protobuf writes the message: fields in number order, proto3 scalars only when not zero, a <c>oneof</c>
/// member whenever it is set, repeated numbers packed, spans as messages. 2.0's field 17 (<c>start_timestamp</c>) has no
/// place in 1.0 and is left out.
/// </summary>
internal static class HistogramWire
{
    private const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2;

    public static int Size(NativeHistogram h)
    {
        var size = 0;
        switch (h.CountKind)
        {
            case HistogramCountKind.Int: size += 1 + Varint.Size(h.CountInt); break;
            case HistogramCountKind.Float: size += 1 + 8; break;
        }
        if (h.Sum != 0) size += 1 + 8;
        if (h.Schema != 0) size += 1 + Varint.Size(ZigZag32(h.Schema));
        if (h.ZeroThreshold != 0) size += 1 + 8;
        switch (h.ZeroCountKind)
        {
            case HistogramCountKind.Int: size += 1 + Varint.Size(h.ZeroCountInt); break;
            case HistogramCountKind.Float: size += 1 + 8; break;
        }
        size += SpansSize(h.NegativeSpans) + DeltasSize(h.NegativeDeltas) + DoublesSize(1, h.NegativeCounts);
        size += SpansSize(h.PositiveSpans) + DeltasSize(h.PositiveDeltas) + DoublesSize(1, h.PositiveCounts);
        if (h.ResetHint != 0) size += 1 + Varint.Size((ulong)(long)h.ResetHint);
        if (h.TimestampMs != 0) size += 1 + Varint.Size((ulong)h.TimestampMs);
        size += DoublesSize(2, h.CustomValues);
        return size;
    }

    public static void Write(Span<byte> output, ref int pos, NativeHistogram h)
    {
        switch (h.CountKind)
        {
            case HistogramCountKind.Int: VarintField(output, ref pos, 1, h.CountInt); break;
            case HistogramCountKind.Float: DoubleField(output, ref pos, 2, h.CountFloat); break;
        }
        if (h.Sum != 0) DoubleField(output, ref pos, 3, h.Sum);
        if (h.Schema != 0) VarintField(output, ref pos, 4, ZigZag32(h.Schema));
        if (h.ZeroThreshold != 0) DoubleField(output, ref pos, 5, h.ZeroThreshold);
        switch (h.ZeroCountKind)
        {
            case HistogramCountKind.Int: VarintField(output, ref pos, 6, h.ZeroCountInt); break;
            case HistogramCountKind.Float: DoubleField(output, ref pos, 7, h.ZeroCountFloat); break;
        }
        WriteSpans(output, ref pos, 8, h.NegativeSpans);
        WriteDeltas(output, ref pos, 9, h.NegativeDeltas);
        WriteDoubles(output, ref pos, 10, h.NegativeCounts);
        WriteSpans(output, ref pos, 11, h.PositiveSpans);
        WriteDeltas(output, ref pos, 12, h.PositiveDeltas);
        WriteDoubles(output, ref pos, 13, h.PositiveCounts);
        // An enum is an int32: a negative one takes ten bytes, as Google.Protobuf writes it.
        if (h.ResetHint != 0) VarintField(output, ref pos, 14, (ulong)(long)h.ResetHint);
        if (h.TimestampMs != 0) VarintField(output, ref pos, 15, (ulong)h.TimestampMs);
        WriteDoubles(output, ref pos, 16, h.CustomValues);
    }

    private static ulong ZigZag32(int n) => (uint)((n << 1) ^ (n >> 31));

    private static ulong ZigZag64(long n) => (ulong)((n << 1) ^ (n >> 63));

    private static int SpanSize(BucketSpan s) =>
        (s.Offset != 0 ? 1 + Varint.Size(ZigZag32(s.Offset)) : 0) + (s.Length != 0 ? 1 + Varint.Size(s.Length) : 0);

    private static int SpansSize(BucketSpan[] spans)
    {
        var size = 0;
        foreach (var s in spans)
        {
            var inner = SpanSize(s);
            size += 1 + Varint.Size((uint)inner) + inner;
        }
        return size;
    }

    private static int DeltasSize(long[] deltas)
    {
        if (deltas.Length == 0) return 0;
        var inner = 0;
        foreach (var d in deltas) inner += Varint.Size(ZigZag64(d));
        return 1 + Varint.Size((uint)inner) + inner;
    }

    private static int DoublesSize(int tagBytes, double[] values) =>
        values.Length == 0 ? 0 : tagBytes + Varint.Size((uint)(values.Length * 8)) + values.Length * 8;

    private static void Tag(Span<byte> output, ref int pos, int field, int wireType) =>
        Varint.Write(output, ref pos, (uint)(field << 3 | wireType));

    private static void VarintField(Span<byte> output, ref int pos, int field, ulong value)
    {
        Tag(output, ref pos, field, WireVarint);
        Varint.Write(output, ref pos, value);
    }

    private static void DoubleField(Span<byte> output, ref int pos, int field, double value)
    {
        Tag(output, ref pos, field, WireFixed64);
        BinaryPrimitives.WriteDoubleLittleEndian(output[pos..], value);
        pos += 8;
    }

    private static void WriteSpans(Span<byte> output, ref int pos, int field, BucketSpan[] spans)
    {
        foreach (var s in spans)
        {
            Tag(output, ref pos, field, WireLengthDelimited);
            Varint.Write(output, ref pos, (uint)SpanSize(s));
            if (s.Offset != 0) VarintField(output, ref pos, 1, ZigZag32(s.Offset));
            if (s.Length != 0) VarintField(output, ref pos, 2, s.Length);
        }
    }

    private static void WriteDeltas(Span<byte> output, ref int pos, int field, long[] deltas)
    {
        if (deltas.Length == 0) return;
        Tag(output, ref pos, field, WireLengthDelimited);
        var inner = 0;
        foreach (var d in deltas) inner += Varint.Size(ZigZag64(d));
        Varint.Write(output, ref pos, (uint)inner);
        foreach (var d in deltas) Varint.Write(output, ref pos, ZigZag64(d));
    }

    private static void WriteDoubles(Span<byte> output, ref int pos, int field, double[] values)
    {
        if (values.Length == 0) return;
        Tag(output, ref pos, field, WireLengthDelimited);
        Varint.Write(output, ref pos, (uint)(values.Length * 8));
        foreach (var v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(output[pos..], v);
            pos += 8;
        }
    }
}
