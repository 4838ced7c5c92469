using Google.Protobuf;
using OrleansExemplars.GrainInterfaces.RemoteWrite;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.RemoteWrite;

public sealed class RemoteWriteDecoderTests
{
    private static readonly GrainInterfaces.RemoteWrite.V1.WriteRequest Sample = Request(
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
