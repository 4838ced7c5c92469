using OrleansExemplars.Prometheus.Model;
using static OrleansExemplars.Prometheus.Wire.RemoteWriteV1Tags;

namespace OrleansExemplars.Prometheus.RemoteWrite;

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
/// and a stray end-group tag, a zero field number or wire type 6 or 7 is an error. Native histograms are read field for
/// field (<see cref="Model.NativeHistogram"/>) and checked with Prometheus' rules (<see cref="HistogramValidation"/>);
/// metadata is checked to the same depth and skipped. Every error is a <see cref="RemoteWriteFormatException"/>
/// (<see cref="RemoteWriteFormatError.BadProtobuf"/>).
/// </para>
/// </summary>
public static partial class RemoteWriteV1Reader
{
    private const string What = "remote write request";
    private const int RecursionLimit = 100; // Google.Protobuf's CodedInputStream.DefaultRecursionLimit

    /// <summary>Reads and validates one serialized (uncompressed) <c>WriteRequest</c>.</summary>
    /// <exception cref="RemoteWriteFormatException">The bytes are not a valid protobuf <c>WriteRequest</c>.</exception>
    public static DecodedWrite Read(ReadOnlySpan<byte> data, SeriesLimits? limits = null) =>
        Read(data, What, out _, limits: limits);

    /// <summary>
    /// <see cref="Read(ReadOnlySpan{byte}, SeriesLimits)"/>, naming the message <paramref name="what"/> in errors, and telling
    /// whether it held fields of its own (series or metadata) or only unknown ones. With <see cref="ForwardForm.Block"/>
    /// the request is kept whole as <see cref="DecodedWrite.Block"/> when it can be forwarded as sent, and only the
    /// exemplars are taken apart; when it cannot, it is read again the usual way. With <see cref="ForwardForm.None"/>
    /// only the exemplars are taken apart and the series are validated and counted.
    /// </summary>
    internal static DecodedWrite Read(ReadOnlySpan<byte> data, string what, out MessageContent content,
        ForwardForm form = ForwardForm.Series, SeriesLimits? limits = null) =>
        Read(data, what, out content, ValidatedSeriesCache.Shared, form, limits);

    /// <summary>
    /// <see cref="Read(ReadOnlySpan{byte}, string, out MessageContent, ForwardForm, SeriesLimits)"/> with the cache of
    /// validated series <paramref name="cache"/> (none when null) instead of <see cref="ValidatedSeriesCache.Shared"/>.
    /// </summary>
    internal static DecodedWrite Read(ReadOnlySpan<byte> data, string what, out MessageContent content,
        ValidatedSeriesCache? cache, ForwardForm form = ForwardForm.Series, SeriesLimits? limits = null)
    {
        try
        {
            return ReadCore(data, out content, form, limits ?? SeriesLimits.Default, cache);
        }
        catch (WireException e)
        {
            throw new RemoteWriteFormatException(RemoteWriteFormatError.BadProtobuf,
                $"decoding {what}: invalid protobuf: {e.Message}", e);
        }
    }

    /// <summary>Reads a request the usual way, with <paramref name="cache"/> (none when null): for tests and benchmarks.</summary>
    internal static DecodedWrite ReadWithCache(ReadOnlySpan<byte> data, ValidatedSeriesCache? cache,
        SeriesLimits? limits = null, ForwardForm form = ForwardForm.Series) =>
        Read(data, What, out _, cache, form, limits);

    private static DecodedWrite ReadCore(ReadOnlySpan<byte> data, out MessageContent content, ForwardForm form,
        SeriesLimits limits, ValidatedSeriesCache? cache)
    {
        var state = new State(Utf8StringCache.ForThread(), limits, cache) { Form = form };
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
        if (form != ForwardForm.Block) return result;
        if (state.BlockBroken) return ReadCore(data, out content, ForwardForm.Series, limits, cache);
        if (result.SampleCount + result.ExemplarCount > 0)
        {
            result.Block = new WriteRequestBlock(data.ToArray(), state.BlockSeries, checked((int)result.SampleCount),
                checked((int)result.ExemplarCount), state.HighestTimestampMs);
        }
        return result;
    }

    internal enum MessageContent { Empty, Fields, OnlyUnknownFields }

    /// <summary>What the forwarders get of a request (see <see cref="Read(ReadOnlySpan{byte}, string, out MessageContent, ForwardForm, SeriesLimits)"/>).</summary>
    internal enum ForwardForm { Series, Block, None }

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
}
