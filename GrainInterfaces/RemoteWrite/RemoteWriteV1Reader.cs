using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.GrainInterfaces.RemoteWrite;

/// <summary>
/// Reads a serialized remote-write 1.0 <c>WriteRequest</c> straight from its bytes into a <see cref="DecodedWrite"/>,
/// walking the protobuf wire format itself instead of building Google.Protobuf's message objects (a
/// <c>ByteString</c> per label name and value, a message object per label, sample and series). Label bytes are
/// validated in place and turned into strings only for the series that are kept; label names and metric names are
/// shared strings (<see cref="Utf8StringCache"/>).
/// <para>
/// The result is <see cref="WriteRequestReader.Read"/>'s for the same bytes parsed by Google.Protobuf, and a message
/// Google.Protobuf refuses is refused here: fields may come in any order and repeat (the last singular value wins),
/// unknown fields of every wire type are skipped (groups nested at most 100 deep, as Google.Protobuf's recursion
/// limit), repeated scalars may be packed or not, varints are at most 10 bytes, lengths must fit in what remains,
/// and a stray end-group tag, a zero field number or wire type 6 or 7 is an error. Histograms and metadata are
/// checked to the same depth and counted, not kept. Every error is a <see cref="RemoteWriteFormatException"/>
/// (<see cref="RemoteWriteFormatError.BadProtobuf"/>).
/// </para>
/// </summary>
public static class RemoteWriteV1Reader
{
    private const string What = "remote write request";
    private const int RecursionLimit = 100; // Google.Protobuf's CodedInputStream.DefaultRecursionLimit

    // Tags (field number << 3 | wire type) of the fields read here.
    private const uint TimeSeriesTag = 1 << 3 | 2;  // WriteRequest.timeseries
    private const uint MetadataTag = 3 << 3 | 2;    // WriteRequest.metadata
    private const uint LabelsTag = 1 << 3 | 2;      // TimeSeries.labels, Exemplar.labels
    private const uint SamplesTag = 2 << 3 | 2;     // TimeSeries.samples
    private const uint ExemplarsTag = 3 << 3 | 2;   // TimeSeries.exemplars
    private const uint HistogramsTag = 4 << 3 | 2;  // TimeSeries.histograms
    private const uint NameTag = 1 << 3 | 2;        // Label.name
    private const uint ValueTag = 2 << 3 | 2;       // Label.value
    private const uint SampleValueTag = 1 << 3 | 1; // Sample.value (double)
    private const uint SampleTsTag = 2 << 3 | 0;    // Sample.timestamp (int64)
    private const uint ExemplarValueTag = 2 << 3 | 1;
    private const uint ExemplarTsTag = 3 << 3 | 0;

    private const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireStartGroup = 3,
        WireEndGroup = 4, WireFixed32 = 5;

    /// <summary>Reads and validates one serialized (uncompressed) <c>WriteRequest</c>.</summary>
    /// <exception cref="RemoteWriteFormatException">The bytes are not a valid protobuf <c>WriteRequest</c>.</exception>
    public static DecodedWrite Read(ReadOnlySpan<byte> data) => Read(data, What, out _);

    /// <summary>
    /// <see cref="Read(ReadOnlySpan{byte})"/>, naming the message <paramref name="what"/> in errors, and telling
    /// whether it held fields of its own (series or metadata) or only unknown ones.
    /// </summary>
    internal static DecodedWrite Read(ReadOnlySpan<byte> data, string what, out MessageContent content)
    {
        try
        {
            return ReadCore(data, out content);
        }
        catch (WireException e)
        {
            throw new RemoteWriteFormatException(RemoteWriteFormatError.BadProtobuf,
                $"decoding {what}: invalid protobuf: {e.Message}", e);
        }
    }

    private static DecodedWrite ReadCore(ReadOnlySpan<byte> data, out MessageContent content)
    {
        var state = new State(Utf8StringCache.ForThread());
        var result = new DecodedWrite();
        var pos = 0;
        var ownFields = false;
        var unknownFields = false;
        while (pos < data.Length)
        {
            var tag = ReadTag(data, ref pos, data.Length);
            switch (tag)
            {
                case TimeSeriesTag:
                {
                    var length = ReadLength(data, ref pos, data.Length);
                    state.ParseSeries(data, pos, pos + length, depth: 1);
                    state.Validate(data, result);
                    pos += length;
                    ownFields = true;
                    break;
                }
                case MetadataTag:
                {
                    var length = ReadLength(data, ref pos, data.Length);
                    SkipMetadata(data, pos, pos + length, depth: 1);
                    pos += length;
                    ownFields = true;
                    break;
                }
                default:
                    SkipField(data, ref pos, data.Length, tag, depth: 0);
                    unknownFields = true;
                    break;
            }
        }
        content = ownFields ? MessageContent.Fields : unknownFields ? MessageContent.OnlyUnknownFields : MessageContent.Empty;
        return result;
    }

    internal enum MessageContent { Empty, Fields, OnlyUnknownFields }

    private struct LabelRef
    {
        public int NameStart, NameLength, ValueStart, ValueLength;
    }

    private struct ExemplarRef
    {
        public int FirstLabel, LabelCount;
        public double Value;
        public long TimestampMs;
    }

    /// <summary>One request's reading state: the current series' parts as offsets into the request's bytes.</summary>
    private sealed class State(Utf8StringCache strings)
    {
        private LabelRef[] _labels = new LabelRef[16];
        private int _labelCount;
        private LabelRef[] _exemplarLabels = new LabelRef[16];
        private int _exemplarLabelCount;
        private ExemplarRef[] _exemplars = new ExemplarRef[4];
        private int _exemplarCount;
        private Sample[] _samples = new Sample[4];
        private int _sampleCount;
        private int _histogramCount;

        // Validation scratch: label names as strings and the sorted order of labels.
        private string[] _names = new string[16];
        private int[] _order = new int[16];

        public void ParseSeries(ReadOnlySpan<byte> data, int pos, int end, int depth)
        {
            _labelCount = _exemplarLabelCount = _exemplarCount = _sampleCount = _histogramCount = 0;
            while (pos < end)
            {
                var tag = ReadTag(data, ref pos, end);
                switch (tag)
                {
                    case LabelsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _labels, ref _labelCount, ParseLabel(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case SamplesTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _samples, ref _sampleCount, ParseSample(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case ExemplarsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _exemplars, ref _exemplarCount, ParseExemplar(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case HistogramsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        SkipHistogram(data, pos, pos + length, depth + 1);
                        _histogramCount++;
                        pos += length;
                        break;
                    }
                    default:
                        SkipField(data, ref pos, end, tag, depth);
                        break;
                }
            }
        }

        private ExemplarRef ParseExemplar(ReadOnlySpan<byte> data, int pos, int end, int depth)
        {
            CheckDepth(depth);
            var exemplar = new ExemplarRef { FirstLabel = _exemplarLabelCount };
            while (pos < end)
            {
                var tag = ReadTag(data, ref pos, end);
                switch (tag)
                {
                    case LabelsTag:
                    {
                        var length = ReadLength(data, ref pos, end);
                        Add(ref _exemplarLabels, ref _exemplarLabelCount, ParseLabel(data, pos, pos + length, depth + 1));
                        pos += length;
                        break;
                    }
                    case ExemplarValueTag:
                        exemplar.Value = ReadDouble(data, ref pos, end);
                        break;
                    case ExemplarTsTag:
                        exemplar.TimestampMs = (long)ReadVarint(data, ref pos, end);
                        break;
                    default:
                        SkipField(data, ref pos, end, tag, depth);
                        break;
                }
            }
            exemplar.LabelCount = _exemplarLabelCount - exemplar.FirstLabel;
            return exemplar;
        }

        /// <summary>Applies <see cref="SeriesValidation"/>'s rules to the series just parsed and adds it to <paramref name="result"/>.</summary>
        public void Validate(ReadOnlySpan<byte> data, DecodedWrite result)
        {
            result.SeriesCount++;
            if (!TryCheckLabels(data, _labels, 0, _labelCount, dropEmptyValues: false, out var kept, out var error))
            {
                result.Invalid.Add(new InvalidSeries(Describe(data), error));
                return;
            }
            var metricIndex = Find(LabelSet.MetricName, kept);
            var metricName = metricIndex < 0 ? "" : ValueString(data, _labels[_order[metricIndex]], intern: true);
            if (metricName.Length == 0)
            {
                result.Invalid.Add(new InvalidSeries(BuildLabels(data, _labels, kept, metricIndex, metricName).ToString(),
                    SeriesValidation.MissingMetricName));
                return;
            }
            // Only a series with samples or exemplars goes anywhere; the others (histograms only) are just counted.
            if (_sampleCount == 0 && _exemplarCount == 0)
            {
                result.HistogramCount += _histogramCount;
                return;
            }
            if (_exemplarCount == 0)
            {
                // Samples only: the series just passes through to the forwarders, which need its labels as bytes
                // (the 1.0 wire form and the shard hash), not as strings.
                var forwarded = _samples.AsSpan(0, _sampleCount).ToArray();
                result.SampleCount += forwarded.Length;
                result.HistogramCount += _histogramCount;
                result.Forward.Add(new ForwardSeries(WireLabels(data, kept), forwarded, []));
                return;
            }
            var series = BuildLabels(data, _labels, kept, metricIndex, metricName);

            var exemplars = new Exemplar[_exemplarCount];
            for (var i = 0; i < exemplars.Length; i++)
            {
                ref readonly var e = ref _exemplars[i];
                // Prometheus drops empty-valued exemplar labels (headAppender.AppendExemplar: Labels.WithoutEmpty()).
                if (!TryCheckLabels(data, _exemplarLabels, e.FirstLabel, e.LabelCount, dropEmptyValues: true,
                        out var exemplarKept, out error))
                {
                    result.Invalid.Add(new InvalidSeries(series.ToString(), SeriesValidation.ExemplarPrefix + error));
                    return;
                }
                exemplars[i] = new Exemplar(BuildLabels(data, _exemplarLabels, exemplarKept, -1, ""), e.Value,
                    e.TimestampMs, HasTimestamp: e.TimestampMs != 0);
            }

            var samples = _sampleCount == 0 ? [] : _samples.AsSpan(0, _sampleCount).ToArray();
            result.SampleCount += samples.Length;
            result.HistogramCount += _histogramCount;
            result.ExemplarCount += exemplars.Length;
            // Exemplar-bearing series go to the metric grains as well: their labels are strings, shared with them.
            result.Forward.Add(new ForwardSeries(series, samples, exemplars));
            if (!result.ExemplarsByMetric.TryGetValue(metricName, out var list))
            {
                result.ExemplarsByMetric[metricName] = list = [];
            }
            list.Add(new SeriesExemplars(series, exemplars));
        }

        /// <summary>
        /// <see cref="LabelsBuilder"/>'s rules over <paramref name="count"/> labels from <paramref name="first"/>:
        /// names valid UTF-8 and not empty, values valid UTF-8 (checked label by label, in the order sent), then no
        /// name twice. On success <c>_names[.._kept]</c> holds the kept labels' names and <c>_order[.._kept]</c>
        /// their indexes, sorted by name as <see cref="LabelSet"/> sorts.
        /// </summary>
        private bool TryCheckLabels(ReadOnlySpan<byte> data, LabelRef[] labels, int first, int count,
            bool dropEmptyValues, out int kept, out string error)
        {
            if (_names.Length < count)
            {
                _names = new string[Math.Max(count, _names.Length * 2)];
                _order = new int[_names.Length];
            }
            kept = 0;
            var sorted = true;
            for (var i = first; i < first + count; i++)
            {
                ref readonly var l = ref labels[i];
                var nameBytes = data.Slice(l.NameStart, l.NameLength);
                if (!Utf8.IsValid(nameBytes))
                {
                    error = SeriesValidation.InvalidLabelName;
                    return false;
                }
                if (nameBytes.IsEmpty)
                {
                    error = SeriesValidation.EmptyLabelName;
                    return false;
                }
                var name = strings.Get(nameBytes);
                if (!Utf8.IsValid(data.Slice(l.ValueStart, l.ValueLength)))
                {
                    error = SeriesValidation.InvalidLabelValue(name);
                    return false;
                }
                if (dropEmptyValues && l.ValueLength == 0) continue;
                if (kept > 0 && string.CompareOrdinal(_names[kept - 1], name) > 0) sorted = false;
                _names[kept] = name;
                _order[kept] = i;
                kept++;
            }
            if (!sorted) Array.Sort(_names, _order, 0, kept, StringComparer.Ordinal);
            for (var i = 1; i < kept; i++)
            {
                if (string.Equals(_names[i - 1], _names[i], StringComparison.Ordinal))
                {
                    error = SeriesValidation.DuplicateLabelName(_names[i]);
                    return false;
                }
            }
            error = "";
            return true;
        }

        private int Find(string name, int kept)
        {
            for (var i = 0; i < kept; i++)
            {
                if (ReferenceEquals(_names[i], name) || string.Equals(_names[i], name, StringComparison.Ordinal)) return i;
            }
            return -1;
        }

        /// <summary>The label set of the labels <see cref="TryCheckLabels"/> kept, already sorted.</summary>
        private LabelSet BuildLabels(ReadOnlySpan<byte> data, LabelRef[] labels, int kept, int metricIndex,
            string metricName)
        {
            if (kept == 0) return LabelSet.Empty;
            var array = new Label[kept];
            for (var i = 0; i < kept; i++)
            {
                var value = i == metricIndex ? metricName : ValueString(data, labels[_order[i]], intern: false);
                array[i] = new Label(_names[i], value);
            }
            return LabelSet.FromOwnedArray(array);
        }

        /// <summary>The kept labels, sorted, in <see cref="LabelWireFormat"/>: the bytes as sent, re-framed.</summary>
        private byte[] WireLabels(ReadOnlySpan<byte> data, int kept)
        {
            var size = 0;
            for (var i = 0; i < kept; i++)
            {
                ref readonly var l = ref _labels[_order[i]];
                size += LabelWireFormat.LabelSize(l.NameLength, l.ValueLength);
            }
            var wire = new byte[size];
            var pos = 0;
            for (var i = 0; i < kept; i++)
            {
                ref readonly var l = ref _labels[_order[i]];
                LabelWireFormat.WriteLabel(wire, ref pos, data.Slice(l.NameStart, l.NameLength),
                    data.Slice(l.ValueStart, l.ValueLength));
            }
            return wire;
        }

        private string ValueString(ReadOnlySpan<byte> data, in LabelRef label, bool intern)
        {
            var bytes = data.Slice(label.ValueStart, label.ValueLength);
            return bytes.IsEmpty ? "" : intern ? strings.Get(bytes) : Encoding.UTF8.GetString(bytes);
        }

        /// <summary>The series' labels as sent, for an error message (lossy UTF-8, in the sender's order).</summary>
        private string Describe(ReadOnlySpan<byte> data)
        {
            var sb = new StringBuilder("{");
            for (var i = 0; i < _labelCount; i++)
            {
                ref readonly var l = ref _labels[i];
                if (sb.Length > 1) sb.Append(", ");
                sb.Append(Encoding.UTF8.GetString(data.Slice(l.NameStart, l.NameLength))).Append("=\"")
                  .Append(Encoding.UTF8.GetString(data.Slice(l.ValueStart, l.ValueLength))).Append('"');
            }
            return sb.Append('}').ToString();
        }

        private static void Add<T>(ref T[] array, ref int count, in T item)
        {
            if (count == array.Length) Array.Resize(ref array, array.Length * 2);
            array[count++] = item;
        }
    }

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
    /// Checks a <c>Histogram</c> as Google.Protobuf parses it: its span lists (fields 8 and 11) are messages, its
    /// deltas (9, 12: sint64) and counts (10, 13: double) may be packed; every other field reads as it skips.
    /// </summary>
    private static void SkipHistogram(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            switch (tag)
            {
                case 8 << 3 | 2: // negative_spans
                case 11 << 3 | 2: // positive_spans
                {
                    var length = ReadLength(data, ref pos, end);
                    SkipMessage(data, pos, pos + length, depth + 1);
                    pos += length;
                    break;
                }
                case 9 << 3 | 2: // negative_deltas, packed
                case 12 << 3 | 2: // positive_deltas, packed
                {
                    var length = ReadPackedLength(data, ref pos, end);
                    var limit = pos + length;
                    while (pos < limit) ReadVarint(data, ref pos, limit);
                    break;
                }
                case 10 << 3 | 2: // negative_counts, packed
                case 13 << 3 | 2: // positive_counts, packed
                {
                    var length = ReadPackedLength(data, ref pos, end);
                    if (length % 8 != 0) throw Bad("packed double field of " + length + " bytes");
                    pos += length;
                    break;
                }
                default:
                    SkipField(data, ref pos, end, tag, depth);
                    break;
            }
        }
    }

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

    /// <summary>Checks a message whose fields all read as they skip (bucket spans).</summary>
    private static void SkipMessage(ReadOnlySpan<byte> data, int pos, int end, int depth)
    {
        CheckDepth(depth);
        while (pos < end)
        {
            var tag = ReadTag(data, ref pos, end);
            SkipField(data, ref pos, end, tag, depth);
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

    /// <summary>Malformed wire format; <see cref="Read(ReadOnlySpan{byte}, string, out MessageContent)"/> turns it into a <see cref="RemoteWriteFormatException"/>.</summary>
    private sealed class WireException(string message) : Exception(message);
}

/// <summary>
/// Strings for UTF-8 byte sequences that repeat (label names, metric names), kept per thread and shared across
/// requests so a name is decoded once, not once per series. Bounded: cleared when full.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int MaxEntries = 4096;
    private const int MaxKeyBytes = 256;

    [ThreadStatic] private static Utf8StringCache? t_cache;

    private Entry[] _entries = new Entry[256];
    private int _count;

    private struct Entry
    {
        public byte[]? Key;
        public string Value;
        public int Hash;
    }

    public static Utf8StringCache ForThread() => t_cache ??= new Utf8StringCache();

    /// <summary>The string of <paramref name="utf8"/>, which must be valid UTF-8.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxKeyBytes) return Encoding.UTF8.GetString(utf8);
        var hash = Hash(utf8);
        var mask = _entries.Length - 1;
        var i = hash & mask;
        while (true)
        {
            ref var e = ref _entries[i];
            if (e.Key is null) break;
            if (e.Hash == hash && utf8.SequenceEqual(e.Key)) return e.Value;
            i = (i + 1) & mask;
        }
        var value = Encoding.UTF8.GetString(utf8);
        if (_count >= MaxEntries)
        {
            Array.Clear(_entries);
            _count = 0;
            i = hash & mask;
        }
        else if ((_count + 1) * 2 > _entries.Length)
        {
            Grow();
            mask = _entries.Length - 1;
            i = hash & mask;
            while (_entries[i].Key is not null) i = (i + 1) & mask;
        }
        _entries[i] = new Entry { Key = utf8.ToArray(), Value = value, Hash = hash };
        _count++;
        return value;
    }

    private void Grow()
    {
        var old = _entries;
        _entries = new Entry[old.Length * 2];
        var mask = _entries.Length - 1;
        foreach (var e in old)
        {
            if (e.Key is null) continue;
            var i = e.Hash & mask;
            while (_entries[i].Key is not null) i = (i + 1) & mask;
            _entries[i] = e;
        }
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        // FNV-1a: names are short; this is cheaper than a general-purpose hash on them.
        var hash = 2166136261u;
        foreach (var b in utf8) hash = (hash ^ b) * 16777619u;
        return (int)(hash & 0x7FFFFFFF);
    }
}
