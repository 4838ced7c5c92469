using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using Snappier;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;
using static OrleansExemplars.Tests.Support.WriteRequestsV2;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Tests.RemoteWrite;

public sealed class RemoteWriteMessageDecoderTests
{
    private const int Max = 1 << 20;
    private const string V2Type = RemoteWriteDecoder.V2ContentType;

    private static readonly V1.WriteRequest SampleV1 = Request(
        Series(("__name__", "m"), ("job", "j")).WithSample(1.5, 1000).WithExemplar(2, 1001, ("trace_id", "abc")),
        Series(("__name__", "n")).WithExemplar(3, 0, ("trace_id", "def")));

    private static readonly V2.Request SampleV2 = ToV2(SampleV1);

    private static readonly string Expected = Dump(WriteRequestReader.Read(SampleV1));

    private static byte[] RawV1 => SampleV1.ToByteArray();

    private static byte[] RawV2 => SampleV2.ToByteArray();

    private static RemoteWriteFormatException Fails(byte[] value, string? contentType, string? encoding, int max = Max) =>
        Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteMessageDecoder.Decode(value, contentType, encoding, max));

    private static string DecodeDump(byte[] value, string? contentType, string? encoding) =>
        Dump(RemoteWriteMessageDecoder.Decode(value, contentType, encoding, Max));

    [Fact]
    public void The_sample_data_has_exemplars_to_compare() =>
        Assert.Contains("trace_id=\"def\"", Expected);

    [Theory]
    [InlineData(null)]
    [InlineData("application/x-protobuf")]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest")]
    public void Version_1_is_read_raw_or_snappy_with_or_without_an_encoding(string? contentType)
    {
        Assert.Equal(Expected, DecodeDump(RawV1, contentType, null));
        Assert.Equal(Expected, DecodeDump(RawV1, contentType, "identity"));
        Assert.Equal(Expected, DecodeDump(Snappy.CompressToArray(RawV1), contentType, null));
        Assert.Equal(Expected, DecodeDump(Snappy.CompressToArray(RawV1), contentType, "snappy"));
        Assert.Equal(Expected, DecodeDump(Snappy.CompressToArray(RawV1), contentType, " Snappy "));
    }

    [Theory]
    [InlineData(V2Type)]
    [InlineData("application/x-protobuf; proto=\"IO.Prometheus.Write.V2.Request\"")]
    public void Version_2_is_read_raw_or_snappy_with_or_without_an_encoding(string contentType)
    {
        Assert.Equal(Expected, DecodeDump(RawV2, contentType, null));
        Assert.Equal(Expected, DecodeDump(RawV2, contentType, "IDENTITY"));
        Assert.Equal(Expected, DecodeDump(Snappy.CompressToArray(RawV2), contentType, null));
        Assert.Equal(Expected, DecodeDump(Snappy.CompressToArray(RawV2), contentType, "snappy"));
    }

    [Fact]
    public void Raw_messages_start_with_a_field_tag_and_snappy_ones_with_their_length()
    {
        Assert.Equal(0x0A, RawV1[0]);
        Assert.Equal(0x22, RawV2[0]);
        Assert.Equal(RawV1.Length, Snappy.CompressToArray(RawV1)[0]);
        Assert.Equal(RawV2.Length, Snappy.CompressToArray(RawV2)[0]);
    }

    /// <summary>A request of exactly <paramref name="size"/> bytes: the richest of a few shapes, padded with a label.</summary>
    private static byte[] OfSize(int size, bool v2)
    {
        Func<string, V1.WriteRequest>[] shapes =
        [
            pad => Request(Series(("__name__", "m"), ("p", pad)).WithExemplar(1, 1, ("t", "x"))),
            pad => Request(Series(("__name__", "m"), ("p", pad)).WithExemplar(1, 1)),
            pad => Request(Series(("__name__", "m"), ("p", pad))),
            pad => Request(Series(("a", pad))),
        ];
        foreach (var shape in shapes)
        {
            for (var pad = 0; pad < size; pad++)
            {
                var v1 = shape(new string('x', pad));
                var raw = v2 ? ToV2(v1).ToByteArray() : v1.ToByteArray();
                if (raw.Length == size) return raw;
            }
        }
        throw new InvalidOperationException($"no message of {size} bytes");
    }

    [Theory]
    [InlineData(false, 0x0A)]
    [InlineData(false, 0x1A)]
    [InlineData(true, 0x22)]
    [InlineData(true, 0x2A)]
    public void Snappy_that_looks_raw_is_still_recognised(bool v2, int size)
    {
        var raw = OfSize(size, v2);
        var compressed = Snappy.CompressToArray(raw);
        Assert.Equal(size, compressed[0]); // the snappy length header is the tag a raw message would start with

        var contentType = v2 ? V2Type : null;
        var write = RemoteWriteMessageDecoder.Decode(compressed, contentType, null, Max);
        Assert.Equal(DecodeDump(raw, contentType, "identity"), Dump(write));
        Assert.Equal(1, write.SeriesCount);
    }

    [Fact]
    public void Raw_that_does_not_start_with_a_known_field_is_still_recognised()
    {
        // An unknown field first (1.0's reserved field 2, 2.0's reserved field 1): not a likely raw start, so snappy is
        // tried first, and fails.
        byte[] v1 = [0x10, 0x01, .. RawV1];
        byte[] v2 = [0x08, 0x01, .. RawV2];
        Assert.Equal(Expected, DecodeDump(v1, null, null));
        Assert.Equal(Expected, DecodeDump(v2, V2Type, null));
    }

    [Fact]
    public void Random_bytes_fail_as_the_likelier_form_with_both_reasons()
    {
        var bytes = new byte[300];
        new Random(7).NextBytes(bytes);

        bytes[0] = 0x05; // a snappy length header
        var snappyFirst = Fails(bytes, null, null);
        Assert.Equal(RemoteWriteFormatError.BadSnappy, snappyFirst.Error);
        Assert.Contains("as raw protobuf: ", snappyFirst.Message);
        Assert.Contains("as snappy: snappy: corrupt input", snappyFirst.Message);
        Assert.Contains("remote write 1.0 WriteRequest", snappyFirst.Message);

        bytes[0] = 0x2A; // 2.0's timeseries tag
        var rawFirst = Fails(bytes, V2Type, null);
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, rawFirst.Error);
        Assert.Contains("as snappy: snappy: corrupt input", rawFirst.Message);
        Assert.Contains("remote write 2.0 Request", rawFirst.Message);

        Assert.Equal(RemoteWriteFormatError.BadSnappy, Fails(bytes, null, "snappy").Error);
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, Fails(bytes, null, "identity").Error);
    }

    [Fact]
    public void A_truncated_protobuf_is_BadProtobuf()
    {
        var truncated = RawV1[..^3];
        var e = Fails(truncated, null, null);
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, e.Error);
        Assert.Contains("invalid protobuf", e.Message);
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, Fails(truncated, null, "identity").Error);
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, Fails(RawV2[..^3], V2Type, null).Error);
        // Truncated before it was compressed: the snappy layer is fine, the protobuf is not.
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, Fails(Snappy.CompressToArray(truncated), null, "snappy").Error);
    }

    [Fact]
    public void Corrupt_snappy_is_BadSnappy()
    {
        var compressed = Snappy.CompressToArray(RawV1);
        var truncated = compressed[..^5];
        Assert.Equal(RemoteWriteFormatError.BadSnappy, Fails(truncated, null, "snappy").Error);
        Assert.Equal(RemoteWriteFormatError.BadSnappy, Fails(truncated, null, null).Error);
        Assert.Equal(RemoteWriteFormatError.BadSnappy, Fails([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], null, "snappy").Error);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "identity")]
    [InlineData(null, "snappy")]
    [InlineData(V2Type, null)]
    [InlineData(V2Type, "snappy")]
    public void An_empty_value_is_an_empty_request(string? contentType, string? encoding)
    {
        var write = RemoteWriteMessageDecoder.Decode([], contentType, encoding, Max);
        Assert.Equal(0, write.SeriesCount);
        Assert.Empty(write.Invalid);
        Assert.Empty(write.ExemplarsByMetric);
        // An empty message compressed is one byte (length 0), which is no tag.
        Assert.Equal(0, RemoteWriteMessageDecoder.Decode(Snappy.CompressToArray([]), contentType, null, Max).SeriesCount);
    }

    [Fact]
    public void The_size_limit_holds_for_every_form()
    {
        var big = Snappy.CompressToArray(new byte[100_000]); // a few KB that inflate to 100000 bytes
        var fromHeader = Fails(big, null, "snappy", max: 50_000);
        Assert.Equal(RemoteWriteFormatError.TooLarge, fromHeader.Error);
        Assert.Contains("100000", fromHeader.Message);
        Assert.Contains("50000", fromHeader.Message);

        var detected = Fails(big, null, null, max: 50_000);
        Assert.Equal(RemoteWriteFormatError.TooLarge, detected.Error);
        Assert.Contains("100000", detected.Message);

        Assert.Equal(RemoteWriteFormatError.TooLarge, Fails(RawV1, null, "identity", max: RawV1.Length - 1).Error);
        Assert.Equal(RemoteWriteFormatError.TooLarge, Fails(RawV2, V2Type, null, max: RawV2.Length - 1).Error);
        Assert.Equal(Expected, Dump(RemoteWriteMessageDecoder.Decode(RawV1, null, "identity", RawV1.Length)));
    }

    [Fact]
    public void Other_encodings_are_refused() =>
        Assert.Equal(RemoteWriteFormatError.UnsupportedEncoding, Fails(RawV1, null, "gzip").Error);

    [Theory]
    [InlineData(null)]
    [InlineData("snappy")]
    public void A_version_2_message_without_its_content_type_is_refused_with_a_hint(string? encoding)
    {
        var e = Fails(Snappy.CompressToArray(RawV2), "application/x-protobuf", encoding);
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, e.Error);
        Assert.Contains("none of its fields", e.Message);
        Assert.Contains("it looks like a remote write 2.0 Request: send it with the content type " + V2Type, e.Message);
        Assert.Contains("looks like a remote write 2.0",
            Fails(RawV2, null, "identity").Message);
    }

    [Fact]
    public void A_version_1_message_with_the_version_2_content_type_is_refused_with_a_hint()
    {
        var e = Fails(Snappy.CompressToArray(RawV1), V2Type, "snappy");
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, e.Error);
        Assert.Contains("it looks like a remote write 1.0 WriteRequest", e.Message);
    }

    [Fact]
    public void A_message_of_unknown_fields_only_is_refused()
    {
        var e = Fails([0x10, 0x01, 0x18, 0x02], null, "identity");
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, e.Error);
        Assert.Contains("none of its fields", e.Message);
        Assert.Contains("is it a remote write message?", e.Message);
    }

    [Fact]
    public void Invalid_series_are_reported_not_thrown()
    {
        var v2 = RequestV2(["", "__name__", "m"], SeriesRefs(1, 2, 7, 1), SeriesRefs(1, 2).WithExemplarRefs(1, 1));
        var write = RemoteWriteMessageDecoder.Decode(v2.ToByteArray(), V2Type, null, Max);
        Assert.Equal(2, write.SeriesCount);
        Assert.Equal(["label name reference 7 is outside the symbols table (3 symbols)"], write.Invalid.Select(i => i.Reason));
        Assert.Equal(["m"], write.ExemplarsByMetric.Keys);
    }
}
