using CsCheck;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Wal;

/// <summary>
/// <see cref="WalExemplarRecord.Decode(byte[])"/> over random bytes and damaged records (the frame's CRC catches most
/// damage on disk; this is what reaches the decoder when it does not, or when a newer or buggy writer wrote the
/// record): it decodes or throws <see cref="WalRecordFormatException"/>, nothing else, and valid records round-trip.
/// </summary>
public sealed class WalExemplarRecordFuzzTests
{
    private static readonly Gen<LabelSet> GenLabels =
        Gen.Select(Gen.OneOf("__name__", "job", "trace_id", "span_id", "é", "le"), Gen.String[0, 10]).Array[0, 4]
            .Select(pairs => LabelSet.From(pairs.DistinctBy(p => p.Item1).ToArray()));

    private static readonly Gen<SeriesExemplars[]> GenBatch =
        Gen.Select(GenLabels, Gen.Select(GenLabels, Gen.Double, Gen.Long, Gen.Bool).Array[0, 6])
            .Select((series, exemplars) => new SeriesExemplars(series,
                exemplars.Select(e => new Exemplar(e.Item1, e.Item2, e.Item3, e.Item4)).ToArray()))
            .Array[0, 5];

    private static readonly Gen<byte[]> Records = Gen.Select(Gen.String[0, 20], GenBatch)
        .Select((metric, batch) => WalExemplarRecord.Encode(metric, batch));

    [Fact]
    public void Damaged_records_fail_with_WalRecordFormatException() =>
        DecoderFuzz.OnlyThrows<WalRecordFormatException>(DecoderFuzz.Around(Records), bytes => WalExemplarRecord.Decode(bytes), iter: 30_000);

    /// <summary>A version 2 record read as version 1 (label names inline): every length means something else.</summary>
    [Fact]
    public void Records_with_the_wrong_version_fail_with_WalRecordFormatException() =>
        DecoderFuzz.OnlyThrows<WalRecordFormatException>(DecoderFuzz.Around(Records.Select(r => (byte[])[1, .. r[1..]])),
            bytes => WalExemplarRecord.Decode(bytes), iter: 10_000);

    [Fact]
    public void Valid_records_round_trip() =>
        Gen.Select(Gen.String[0, 20], GenBatch).Sample((metric, batch) =>
        {
            var (decodedMetric, decoded) = WalExemplarRecord.Decode(WalExemplarRecord.Encode(metric, batch));
            Assert.Equal(metric, decodedMetric);
            Assert.Equal(batch.Select(b => b.Series), decoded.Select(d => d.Series));
            Assert.Equal(batch.SelectMany(b => b.Exemplars), decoded.SelectMany(d => d.Exemplars));
        }, iter: 2_000);

    /// <summary>Inputs that made the decoder (a BinaryReader) throw something else, or read nonsense, before it was made robust.</summary>
    [Theory]
    [InlineData("0200FFFFFFFF0F", "a count of -1 label names: OverflowException")]
    [InlineData("0200FFFFFFFF07", "2^31-1 label names: OutOfMemoryException")]
    [InlineData("02FFFFFFFF0F", "a metric name length of -1: IOException")]
    [InlineData("020000000000", "bytes after the record: ignored")]
    [InlineData("0201C30000", "a metric name that is not UTF-8: read as U+FFFD, the record of another metric")]
    [InlineData("02", "cut after the version: refused already")]
    [InlineData("0200000101050000", "a label name index past the table: refused already")]
    [InlineData("0200FFFFFFFFFF", "a 7-bit integer of more than five bytes: refused already")]
    public void Regressions_fail_with_WalRecordFormatException(string hex, string before)
    {
        var e = Assert.Throws<WalRecordFormatException>(() => WalExemplarRecord.Decode(Convert.FromHexString(hex)));
        Assert.False(string.IsNullOrEmpty(e.Message), before);
    }
}
