using CsCheck;
using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// The remote-write decoders, as HTTP ingest (<see cref="RemoteWriteDecoder.ReadHttpBody"/>) and Kafka ingest
/// (<see cref="RemoteWriteMessageDecoder.Decode"/>) call them, over random bytes and damaged bodies (snappy blocks and raw
/// protobuf, 1.0 and 2.0): they decode or throw <see cref="RemoteWriteFormatException"/>, never anything else, so a bad
/// body is a 400 or a dead-lettered message and never a 500 or a stuck partition.
/// </summary>
public sealed class RemoteWriteDecoderFuzzTests
{
    private const int MaxBytes = 64 * 1024;

    private static readonly Gen<V1.WriteRequest> GenRequest =
        Gen.Select(Gen.OneOf("m", "http_requests_total", "中文"), Gen.String[0, 12], Gen.Double, Gen.Long[0, 1L << 42],
                Gen.Byte.Array[16].Select(Convert.ToHexStringLower), Gen.Int[0, 3])
            .Select((name, value, sample, timestamp, trace, exemplars) =>
            {
                var series = Series(("__name__", name), ("job", value)).WithSample(sample, timestamp);
                for (var i = 0; i < exemplars; i++) series.WithExemplar(sample, timestamp + i, ("trace_id", trace));
                return series;
            })
            .Array[0, 6].Select(Request);

    private static readonly Gen<byte[]> RawV1 = GenRequest.Select(r => r.ToByteArray());
    private static readonly Gen<byte[]> RawV2 = GenRequest.Select(r => WriteRequestsV2.ToV2(r).ToByteArray());
    private static readonly Gen<byte[]> Bodies = Gen.Frequency(
        (2, RawV1.Select(raw => Snappier.Snappy.CompressToArray(raw))),
        (1, RawV2.Select(raw => Snappier.Snappy.CompressToArray(raw))),
        (1, RawV1),
        (1, RawV2));

    [Fact]
    public void Damaged_http_bodies_fail_with_RemoteWriteFormatException() =>
        DecoderFuzz.OnlyThrows<RemoteWriteFormatException>(DecoderFuzz.Around(Bodies), body =>
        {
            foreach (var encoding in new[] { "snappy", null, "identity" })
            {
                foreach (var contentType in new[] { "application/x-protobuf", RemoteWriteDecoder.V2ContentType })
                {
                    Try(() => RemoteWriteDecoder.ReadHttpBody(body, contentType, encoding, MaxBytes));
                }
            }
            RemoteWriteDecoder.ReadHttpBody(body, null, null, MaxBytes, forwarding: false);
        }, iter: 15_000);

    [Fact]
    public void Damaged_kafka_messages_fail_with_RemoteWriteFormatException() =>
        DecoderFuzz.OnlyThrows<RemoteWriteFormatException>(DecoderFuzz.Around(Bodies), value =>
        {
            foreach (var encoding in new[] { null, "snappy", "identity" })
            {
                Try(() => RemoteWriteMessageDecoder.Decode(value, null, encoding, MaxBytes));
                Try(() => RemoteWriteMessageDecoder.Decode(value, null, encoding, MaxBytes, forwardAsBlock: true));
                Try(() => RemoteWriteMessageDecoder.Decode(value, RemoteWriteDecoder.V2ContentType, encoding, MaxBytes));
            }
        }, iter: 15_000);

    /// <summary>
    /// A snappy body cut short is refused, never read as the shorter request its first bytes may make (which would
    /// acknowledge, and lose, the series that were cut off).
    /// </summary>
    [Fact]
    public void Truncated_snappy_bodies_are_refused_not_read_as_less() =>
        Gen.Select(RawV1.Where(raw => raw.Length > 0).Select(raw => Snappier.Snappy.CompressToArray(raw)), Gen.Double[0, 1])
            .Sample((body, cut) =>
            {
                var truncated = body[..(int)(cut * (body.Length - 1))];
                var e = Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.ReadHttpBody(truncated, null, "snappy", MaxBytes));
                Assert.Equal(RemoteWriteFormatError.BadSnappy, e.Error);
            }, iter: 5_000, print: t => DecoderFuzz.Hex(t.Item1) + $" cut at {t.Item2}");

    /// <summary>A request kept whole for forwarding is re-cut without its exemplars for endpoints that do not take them.</summary>
    [Fact]
    public void A_forwarded_block_is_stripped_of_exemplars_or_refused() =>
        DecoderFuzz.OnlyThrows<RemoteWriteFormatException>(DecoderFuzz.Around(RawV1), raw =>
        {
            var decoded = RemoteWriteV1Reader.Read(raw);
            RemoteWriteV1Reader.WithoutExemplars(raw);
            Assert.True(decoded.SeriesCount >= 0);
        }, iter: 10_000);

    /// <summary>Snappy blocks whose header announces more than the limit, or lies about the length: refused before inflating.</summary>
    [Theory]
    [InlineData("FFFFFFFF0F00", "4 GiB announced")]
    [InlineData("FFFFFFFF7F", "a length longer than 32 bits")]
    [InlineData("80808080808000", "a varint length that never ends")]
    [InlineData("0A0041", "10 bytes announced, a literal that runs past the end")]
    [InlineData("05" + "0108" + "FF", "a copy before the start of the output")]
    public void Corrupt_snappy_regressions(string hex, string what)
    {
        var body = Convert.FromHexString(hex);
        var e = Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.ReadHttpBody(body, null, "snappy", MaxBytes));
        Assert.True(e.Error is RemoteWriteFormatError.BadSnappy or RemoteWriteFormatError.TooLarge, what);
    }

    private static void Try(Action decode)
    {
        try
        {
            decode();
        }
        catch (RemoteWriteFormatException)
        {
        }
    }
}
