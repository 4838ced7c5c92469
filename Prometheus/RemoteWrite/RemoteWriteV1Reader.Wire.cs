using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.Unicode;
using OrleansExemplars.Prometheus.Model;
using static OrleansExemplars.Prometheus.Wire.RemoteWriteV1Tags;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>The wire-format primitives: fields, lengths, varints, and skipping what is only checked.</summary>
public static partial class RemoteWriteV1Reader
{
    private static LabelRef ParseLabel(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        var label = new LabelRef { NameStart = pos, ValueStart = pos };
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            switch (tag)
            {
                case NameTag:
                    label.NameLength = ReadLength(data, ref pos, end);
                    label.NameStart = pos;
                    pos += label.NameLength;
                    break;
                case ValueTag:
                    label.ValueLength = ReadLength(data, ref pos, end);
                    label.ValueStart = pos;
                    pos += label.ValueLength;
                    break;
                default:
                    SkipField(data, ref pos, end, tag, depth);
                    break;
            }
        }
        return label;
    }

    private static Sample ParseSample(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        double value = 0;
        long timestamp = 0;
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            switch (tag)
            {
                case SampleValueTag:
                    value = ReadDouble(data, ref pos, end);
                    break;
                case SampleTsTag:
                    timestamp = (long)ReadVarint(data, ref pos, end);
                    break;
                default:
                    SkipField(data, ref pos, end, tag, depth);
                    break;
            }
        }
        return new Sample(value, timestamp);
    }

    /// <summary>
    /// Reads a <c>Histogram</c> as Google.Protobuf parses it: the last member of a <c>oneof</c> wins, span lists (8, 11)
    /// are messages, deltas (9, 12: sint64) and counts (10, 13, and custom_values 16: double) may be packed or not, 32-bit
    /// fields keep the low 32 bits of their varint, and a known field number with another wire type is an unknown field.
    /// Remote write 1.0 has no field 17 (<c>start_timestamp</c>, 2.0's): it is skipped as unknown.
    /// </summary>
    private static NativeHistogram ParseHistogram(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        var countKind = HistogramCountKind.None;
        var zeroKind = HistogramCountKind.None;
        ulong countInt = 0, zeroInt = 0;
        double countFloat = 0, zeroFloat = 0, sum = 0, zeroThreshold = 0;
        int schema = 0, resetHint = 0;
        long timestamp = 0;
        List<BucketSpan>? negativeSpans = null, positiveSpans = null;
        List<long>? negativeDeltas = null, positiveDeltas = null;
        List<double>? negativeCounts = null, positiveCounts = null, customValues = null;
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            switch (tag)
            {
                case 1 << 3 | WireVarint:
                    countKind = HistogramCountKind.Int;
                    countInt = ReadVarint(data, ref pos, end);
                    countFloat = 0;
                    break;
                case 2 << 3 | WireFixed64:
                    countKind = HistogramCountKind.Float;
                    countFloat = ReadDouble(data, ref pos, end);
                    countInt = 0;
                    break;
                case 3 << 3 | WireFixed64:
                    sum = ReadDouble(data, ref pos, end);
                    break;
                case 4 << 3 | WireVarint:
                    schema = ZigZag32((uint)ReadVarint(data, ref pos, end));
                    break;
                case 5 << 3 | WireFixed64:
                    zeroThreshold = ReadDouble(data, ref pos, end);
                    break;
                case 6 << 3 | WireVarint:
                    zeroKind = HistogramCountKind.Int;
                    zeroInt = ReadVarint(data, ref pos, end);
                    zeroFloat = 0;
                    break;
                case 7 << 3 | WireFixed64:
                    zeroKind = HistogramCountKind.Float;
                    zeroFloat = ReadDouble(data, ref pos, end);
                    zeroInt = 0;
                    break;
                case 8 << 3 | WireLengthDelimited:
                case 11 << 3 | WireLengthDelimited:
                {
                    var length = ReadLength(data, ref pos, end);
                    var span = ParseSpan(data, pos, pos + length, depth + 1);
                    (tag >> 3 == 8 ? negativeSpans ??= [] : positiveSpans ??= []).Add(span);
                    pos += length;
                    break;
                }
                case 9 << 3 | WireVarint:
                case 12 << 3 | WireVarint:
                    (tag >> 3 == 9 ? negativeDeltas ??= [] : positiveDeltas ??= []).Add(ZigZag64(ReadVarint(data, ref pos, end)));
                    break;
                case 9 << 3 | WireLengthDelimited:
                case 12 << 3 | WireLengthDelimited:
                {
                    var list = tag >> 3 == 9 ? negativeDeltas ??= [] : positiveDeltas ??= [];
                    var length = ReadPackedLength(data, ref pos, end);
                    var limit = pos + length;
                    while (pos < limit) list.Add(ZigZag64(ReadVarint(data, ref pos, limit)));
                    break;
                }
                case 10 << 3 | WireFixed64:
                case 13 << 3 | WireFixed64:
                case 16 << 3 | WireFixed64:
                    DoubleList(tag, ref negativeCounts, ref positiveCounts, ref customValues).Add(ReadDouble(data, ref pos, end));
                    break;
                case 10 << 3 | WireLengthDelimited:
                case 13 << 3 | WireLengthDelimited:
                case 16 << 3 | WireLengthDelimited:
                {
                    var list = DoubleList(tag, ref negativeCounts, ref positiveCounts, ref customValues);
                    var length = ReadPackedLength(data, ref pos, end);
                    if (length % 8 != 0) throw Bad("packed double field of " + length + " bytes");
                    for (var limit = pos + length; pos < limit;) list.Add(ReadDouble(data, ref pos, limit));
                    break;
                }
                case 14 << 3 | WireVarint:
                    resetHint = (int)(uint)ReadVarint(data, ref pos, end);
                    break;
                case 15 << 3 | WireVarint:
                    timestamp = (long)ReadVarint(data, ref pos, end);
                    break;
                default:
                    SkipField(data, ref pos, end, tag, depth);
                    break;
            }
        }
        return new NativeHistogram
        {
            CountKind = countKind, CountInt = countInt, CountFloat = countFloat, Sum = sum, Schema = schema,
            ZeroThreshold = zeroThreshold, ZeroCountKind = zeroKind, ZeroCountInt = zeroInt, ZeroCountFloat = zeroFloat,
            NegativeSpans = negativeSpans?.ToArray() ?? [], NegativeDeltas = negativeDeltas?.ToArray() ?? [],
            NegativeCounts = negativeCounts?.ToArray() ?? [], PositiveSpans = positiveSpans?.ToArray() ?? [],
            PositiveDeltas = positiveDeltas?.ToArray() ?? [], PositiveCounts = positiveCounts?.ToArray() ?? [],
            ResetHint = resetHint, TimestampMs = timestamp, CustomValues = customValues?.ToArray() ?? [],
        };

        static List<double> DoubleList(uint tag, ref List<double>? negative, ref List<double>? positive, ref List<double>? custom) =>
            (tag >> 3) switch
            {
                10 => negative ??= [],
                13 => positive ??= [],
                _ => custom ??= [],
            };
    }

    private static BucketSpan ParseSpan(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        int offset = 0;
        uint length = 0;
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            switch (tag)
            {
                case 1 << 3 | WireVarint:
                    offset = ZigZag32((uint)ReadVarint(data, ref pos, end));
                    break;
                case 2 << 3 | WireVarint:
                    length = (uint)ReadVarint(data, ref pos, end);
                    break;
                default:
                    SkipField(data, ref pos, end, tag, depth);
                    break;
            }
        }
        return new BucketSpan(offset, length);
    }

    private static int ZigZag32(uint n) => (int)(n >> 1) ^ -(int)(n & 1);

    private static long ZigZag64(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);

    /// <summary>
    /// Checks a <c>MetricMetadata</c>: its <c>string</c> fields (metric_family_name, help, unit) must be valid UTF-8,
    /// which Google.Protobuf enforces; the type reads as it skips.
    /// </summary>
    private static void SkipMetadata(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            switch (tag)
            {
                case 2 << 3 | 2: // metric_family_name
                case 4 << 3 | 2: // help
                case 5 << 3 | 2: // unit
                {
                    var length = ReadLength(data, ref pos, end);
                    if (!Utf8.IsValid(data.Slice(pos, length))) throw Bad($"metadata string field {tag >> 3} is not valid UTF-8");
                    pos += length;
                    break;
                }
                default:
                    SkipField(data, ref pos, end, tag, depth);
                    break;
            }
        }
    }

    /// <summary>Skips the field whose tag was just read, as Google.Protobuf keeps an unknown field.</summary>
    private static void SkipField(ReadOnlySpan<byte> data, ref int pos, int end, uint tag, int depth)
    {
        switch ((int)(tag & 7))
        {
            case WireVarint:
                ReadVarint(data, ref pos, end);
                break;
            case WireFixed64:
                Need(8, pos, end);
                pos += 8;
                break;
            case WireLengthDelimited:
            {
                var length = ReadLength(data, ref pos, end); // not `pos += ReadLength(..)`: that adds to the old pos
                pos += length;
                break;
            }
            case WireStartGroup:
            {
                CheckDepth(depth + 1);
                var number = tag >> 3;
                while (true)
                {
                    if (pos >= end) throw Bad($"group {number} has no end tag");
                    var inner = ReadTag(data, ref pos, end);
                    if ((inner & 7) == WireEndGroup)
                    {
                        if (inner >> 3 != number) throw Bad($"group {number} ended with the end tag of field {inner >> 3}");
                        break;
                    }
                    SkipField(data, ref pos, end, inner, depth + 1);
                }
                break;
            }
            case WireEndGroup:
                throw Bad($"end-group tag of field {tag >> 3} without its start");
            case WireFixed32:
                Need(4, pos, end);
                pos += 4;
                break;
            default:
                throw Bad($"field {tag >> 3} has invalid wire type {tag & 7}");
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > RecursionLimit) throw Bad($"messages nested more than {RecursionLimit} deep");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadTag(ReadOnlySpan<byte> data, ref int pos, int end)
    {
        uint tag;
        if (pos < end && data[pos] < 0x80)
        {
            tag = data[pos++];
        }
        else
        {
            // As Google.Protobuf: a tag is a 32-bit varint (higher bits of a longer one are dropped).
            tag = (uint)ReadVarint(data, ref pos, end);
        }
        if (tag >> 3 == 0) throw Bad("field number 0");
        return tag;
    }

    /// <summary>A length prefix: a 32-bit varint, not negative, within what remains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadLength(ReadOnlySpan<byte> data, ref int pos, int end)
    {
        var length = (int)(uint)ReadVarint(data, ref pos, end);
        if (length < 0) throw Bad($"negative length {length}");
        Need(length, pos, end);
        return length;
    }

    /// <summary>
    /// The length of a packed repeated field. Google.Protobuf reads a negative one (a 32-bit varint with the top bit
    /// set) as an empty list, and so does this.
    /// </summary>
    private static int ReadPackedLength(ReadOnlySpan<byte> data, ref int pos, int end)
    {
        var length = (int)(uint)ReadVarint(data, ref pos, end);
        if (length <= 0) return 0;
        Need(length, pos, end);
        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos, int end)
    {
        if (pos < end && data[pos] < 0x80) return data[pos++];
        return ReadVarintSlow(data, ref pos, end);
    }

    private static ulong ReadVarintSlow(ReadOnlySpan<byte> data, ref int pos, int end)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= end) throw Truncated();
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Bad("varint longer than 10 bytes");
    }

    private static double ReadDouble(ReadOnlySpan<byte> data, ref int pos, int end)
    {
        Need(8, pos, end);
        var value = BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(pos, 8));
        pos += 8;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Need(int length, int pos, int end)
    {
        if (length > end - pos) throw Truncated();
    }

    private static WireException Truncated() =>
        Bad("the input ended in the middle of a field (truncated, or a length that overruns its message)");

    private static WireException Bad(string reason) => new(reason);

    /// <summary>Malformed wire format; <see cref="Read(ReadOnlySpan{byte}, string, out MessageContent, ForwardForm, SeriesLimits)"/> turns it into a <see cref="RemoteWriteFormatException"/>.</summary>
    private sealed class WireException(string message) : Exception(message);
}
