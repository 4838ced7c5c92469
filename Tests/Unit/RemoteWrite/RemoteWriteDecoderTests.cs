using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.RemoteWrite;

public sealed class RemoteWriteDecoderTests
{
    private static readonly Prometheus.RemoteWrite.V1.WriteRequest Sample = Request(
        Series(("__name__", "m"), ("job", "j")).WithSample(1.5, 1000).WithExemplar(2, 1001, ("trace_id", "abc")));

    [Fact]
    public void Snappy_body_round_trips()
    {
        var body = RemoteWriteDecoder.EncodeSnappy(Sample);
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeHttpBody(body, "snappy", 1 << 20));
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeHttpBody(body, null, 1 << 20));
    }

    [Fact]
    public void Identity_encoding_is_raw_protobuf() =>
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeHttpBody(Sample.ToByteArray(), "identity", 1 << 20));

    [Fact]
    public void Other_encodings_are_refused() =>
        Assert.Equal(RemoteWriteFormatError.UnsupportedEncoding, Assert.Throws<RemoteWriteFormatException>(
            () => RemoteWriteDecoder.DecodeHttpBody(Sample.ToByteArray(), "gzip", 1 << 20)).Error);

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    [InlineData(new byte[] { 0x0a, 0x00, 0x01 })]
    public void Corrupt_snappy_is_BadSnappy(byte[] body) =>
        Assert.Equal(RemoteWriteFormatError.BadSnappy,
            Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.DecodeSnappy(body, 1 << 20)).Error);

    [Fact]
    public void Truncated_protobuf_is_BadProtobuf()
    {
        var raw = Sample.ToByteArray();
        var e = Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.DecodeProtobuf(raw.AsSpan(0, raw.Length - 3)));
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, e.Error);
        Assert.Contains("protobuf", e.Message);
    }

    [Fact]
    public void The_decompressed_size_limit_is_checked_from_the_snappy_header()
    {
        var big = Snappier.Snappy.CompressToArray(new byte[100_000]); // compresses to a few KB
        var e = Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.DecodeSnappy(big, 50_000));
        Assert.Equal(RemoteWriteFormatError.TooLarge, e.Error);
        Assert.Contains("100000", e.Message);
    }
}

public sealed class RemoteWriteDecoderV2Tests
{
    private static readonly Prometheus.RemoteWrite.V2.Request Sample =
        Support.WriteRequestsV2.ToV2(Request(Series(("__name__", "m"), ("job", "j")).WithSample(1.5, 1000)
            .WithExemplar(2, 1001, ("trace_id", "abc"))));

    [Theory]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v2.Request", true)]
    [InlineData("application/x-protobuf; proto=IO.PROMETHEUS.WRITE.V2.REQUEST", true)]
    [InlineData("application/x-protobuf;charset=x; proto = \"io.prometheus.write.v2.Request\" ", true)]
    [InlineData("proto=io.prometheus.write.v2.Request", true)]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest", false)]
    [InlineData("application/io.prometheus.write.v2.Request", false)]
    [InlineData("application/x-protobuf", false)]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v2.RequestX", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void The_content_type_selects_the_version(string? contentType, bool v2) =>
        Assert.Equal(v2, RemoteWriteDecoder.IsV2ContentType(contentType));

    [Fact]
    public void Version_2_bodies_round_trip()
    {
        var body = RemoteWriteDecoder.EncodeSnappy(Sample);
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeHttpBodyV2(body, "snappy", 1 << 20));
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeHttpBodyV2(body, null, 1 << 20));
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeHttpBodyV2(Sample.ToByteArray(), "identity", 1 << 20));
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeSnappyV2(body, 1 << 20));
        Assert.Equal(Sample, RemoteWriteDecoder.DecodeProtobufV2(Sample.ToByteArray()));
    }

    [Fact]
    public void Version_2_errors_say_so()
    {
        var raw = Sample.ToByteArray();
        var e = Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.DecodeHttpBodyV2(raw[..^2], "identity", 1 << 20));
        Assert.Equal(RemoteWriteFormatError.BadProtobuf, e.Error);
        Assert.Contains("remote write 2.0 request: invalid protobuf", e.Message);
        var big = Assert.Throws<RemoteWriteFormatException>(() =>
            RemoteWriteDecoder.DecodeHttpBodyV2(RemoteWriteDecoder.EncodeSnappy(Sample), null, 10));
        Assert.Equal(RemoteWriteFormatError.TooLarge, big.Error);
        Assert.Equal(RemoteWriteFormatError.UnsupportedEncoding, Assert.Throws<RemoteWriteFormatException>(
            () => RemoteWriteDecoder.DecodeHttpBodyV2(raw, "zstd", 1 << 20)).Error);
    }

    [Fact]
    public void ReadHttpBody_reads_the_version_the_content_type_names()
    {
        var v1 = Request(Series(("__name__", "m"), ("job", "j")).WithSample(1.5, 1000).WithExemplar(2, 1001, ("trace_id", "abc")));
        var expected = Support.WriteRequestsV2.Dump(WriteRequestReader.Read(v1));
        Assert.Equal(expected, Support.WriteRequestsV2.Dump(RemoteWriteDecoder.ReadHttpBody(
            RemoteWriteDecoder.EncodeSnappy(Sample), RemoteWriteDecoder.V2ContentType, "snappy", 1 << 20)));
        Assert.Equal(expected, Support.WriteRequestsV2.Dump(RemoteWriteDecoder.ReadHttpBody(
            RemoteWriteDecoder.EncodeSnappy(v1), "application/x-protobuf", null, 1 << 20)));
        // The wrong version decodes as an empty request over HTTP, as with Prometheus (fields 1-3 are reserved in 2.0).
        Assert.Equal(0, RemoteWriteDecoder.ReadHttpBody(
            RemoteWriteDecoder.EncodeSnappy(v1), RemoteWriteDecoder.V2ContentType, null, 1 << 20).ExemplarCount);
    }
}
