using CsCheck;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>
/// <see cref="ExemplarRingSnapshot.Read(ReadOnlySpan{byte}, int)"/> over random bytes and damaged snapshots of random
/// rings, version 2 and version 1 (which has no checksum, so damage reaches the parser): it reads a valid ring or throws
/// <see cref="RingSnapshotFormatException"/>, nothing else; and whatever it reads is a ring that writes and reads back
/// as itself.
/// </summary>
public sealed class ExemplarRingSnapshotFuzzTests
{
    private static readonly LabelSet[] SeriesPool =
    [
        LabelSet.From(("__name__", "m"), ("job", "a")),
        LabelSet.From(("__name__", "m"), ("job", "b"), ("note", "中文 🚀")),
        LabelSet.From(("__name__", "m"), ("le", "0.5")),
        LabelSet.From(("__name__", "m")),
    ];

    private static readonly Gen<LabelSet> GenLabels = Gen.Frequency(
        (4, Gen.Byte.Array[16].Select(b => LabelSet.From(("trace_id", Convert.ToHexStringLower(b))))),
        (2, Gen.Byte.Array[8].Select(b => LabelSet.From(("trace_id", Convert.ToHexStringLower(b))))),
        (2, Gen.Select(Gen.Byte.Array[8], Gen.Byte.Array[16]).Select((s, t) =>
            LabelSet.From(("span_id", Convert.ToHexStringLower(s)), ("trace_id", Convert.ToHexStringLower(t))))),
        (2, Gen.String[Gen.Char.AlphaNumeric, 0, 12].Select(v => LabelSet.From(("trace_id", v)))),
        (1, Gen.String[0, 8].Select(v => LabelSet.From(("user", "é" + v)))),
        (1, Gen.Const(LabelSet.Empty)));

    private static readonly Gen<ExemplarRing> GenRing = Gen.Select(
            Gen.Int[0, 40],
            Gen.Select(Gen.Int[0, SeriesPool.Length - 1], GenLabels, Gen.Double, Gen.Long[0, 3], Gen.Bool).Array[0, 80])
        .Select((capacity, entries) =>
        {
            var ring = new ExemplarRing(capacity);
            var timestamp = 1_000L;
            foreach (var (series, labels, value, step, hasTimestamp) in entries)
            {
                timestamp += step;
                ring.Append(SeriesPool[series], new Exemplar(labels, value, timestamp, hasTimestamp));
            }
            return ring;
        });

    /// <summary>Version 1 of the same snapshot: no checksum.</summary>
    private static byte[] Version1(byte[] version2) => [.. version2[..4], 1, .. version2[9..]];

    private static readonly Gen<byte[]> Snapshots = GenRing.Select(ExemplarRingSnapshot.Write);

    [Fact]
    public void Damaged_version_2_snapshots_fail_with_RingSnapshotFormatException() =>
        DecoderFuzz.OnlyThrows<RingSnapshotFormatException>(DecoderFuzz.Around(Snapshots), ReadsAsAValidRing, iter: 20_000);

    [Fact]
    public void Damaged_version_1_snapshots_fail_with_RingSnapshotFormatException() =>
        DecoderFuzz.OnlyThrows<RingSnapshotFormatException>(DecoderFuzz.Around(Snapshots.Select(Version1)), ReadsAsAValidRing, iter: 30_000);

    [Fact]
    public void Every_ring_reads_back_as_itself_from_both_versions() =>
        GenRing.Sample(ring =>
        {
            var snapshot = ExemplarRingSnapshot.Write(ring);
            Assert.Equal(Describe(ring), Describe(ExemplarRingSnapshot.Read(snapshot, ring.Capacity)));
            Assert.Equal(Describe(ring), Describe(ExemplarRingSnapshot.Read(Version1(snapshot), ring.Capacity)));
        }, iter: 2_000);

    /// <summary>Inputs that made the version 1 reader (a BinaryReader) throw something else before it was made robust.</summary>
    [Theory]
    [InlineData("4F455253", "cut inside the header: EndOfStreamException")]
    [InlineData("4F45525301FFFFFFFF0F0000", "capacity read as -1: ArgumentOutOfRangeException from the ring")]
    [InlineData("4F4552530102FFFFFFFF0F", "a count of -1 label names: OverflowException")]
    [InlineData("4F4552530102FFFFFFFF07", "2^31-1 label names: OutOfMemoryException")]
    [InlineData("4F455253010201FFFFFFFF0F", "a string length of -1: IOException")]
    [InlineData("4F4552530102000001FFFFFFFFFF", "a 7-bit integer of more than five bytes: FormatException")]
    [InlineData("4F455253010201016D0101050161", "a label name index past the table: IndexOutOfRangeException")]
    [InlineData("4F455253010200000105000000000000F03F01010000", "an exemplar of a series the table does not have: IndexOutOfRangeException")]
    [InlineData("4F45525301020101C30000", "a label name that is not UTF-8: read without complaint")]
    public void Regressions_fail_with_RingSnapshotFormatException(string hex, string before)
    {
        var e = Assert.Throws<RingSnapshotFormatException>(() => ExemplarRingSnapshot.Read(Convert.FromHexString(hex), 10));
        Assert.False(string.IsNullOrEmpty(e.Message), before);
    }

    private static void ReadsAsAValidRing(byte[] bytes)
    {
        var ring = ExemplarRingSnapshot.Read(bytes, 10);
        Assert.InRange(ring.Count, 0, 10);
        Assert.Equal(Describe(ring), Describe(ExemplarRingSnapshot.Read(ExemplarRingSnapshot.Write(ring), 10)));
    }

    private static List<string> Describe(ExemplarRing ring) =>
        ring.EntriesOldestFirst().Select(e => $"{e.Series} {e.Exemplar.Labels} {e.Exemplar.Value} {e.Exemplar.TimestampMs} {e.Exemplar.HasTimestamp}").ToList();
}
