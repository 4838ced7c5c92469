using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Exemplars;

public sealed class ExemplarRingSnapshotTests(ITestOutputHelper output)
{
    private static ExemplarRing Filled(int capacity, int appends)
    {
        var ring = new ExemplarRing(capacity);
        var random = new Random(3);
        for (var i = 0; i < appends; i++)
        {
            var series = LabelSet.From(("__name__", "m"), ("job", "j"), ("series", (i % 37).ToString()), ("note", "中文 🚀"));
            Exemplar exemplar = i % 11 == 0
                ? new(LabelSet.From(("trace_id", Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))), ("span_id", "s")), random.NextDouble(), 1_000 + i, true)
                : new(LabelSet.From(("trace_id", Convert.ToHexString(BitConverter.GetBytes(random.NextInt64())))), i % 7 == 0 ? double.NaN : random.NextDouble(), 1_000 + i, true);
            ring.Append(series, exemplar);
        }
        return ring;
    }

    [Fact]
    public void A_restored_ring_is_the_same_ring()
    {
        var original = Filled(500, 1_300); // wrapped more than twice
        var restored = ExemplarRingSnapshot.Read(ExemplarRingSnapshot.Write(original), 500);

        Assert.Equal(Describe(original), Describe(restored));
        // Same eviction order from here on: append the same exemplars to both and compare again.
        var next = Filled(500, 1_300);
        var series = LabelSet.From(("__name__", "m"), ("series", "new"));
        for (var i = 0; i < 300; i++)
        {
            var e = new Exemplar(LabelSet.From(("trace_id", $"n{i}")), i, 10_000 + i, true);
            Assert.Equal(original.Append(series, e), restored.Append(series, e));
        }
        Assert.Equal(Describe(original), Describe(restored));
        Assert.Equal(next.Count, original.Count);
    }

    [Fact]
    public void A_smaller_configured_capacity_keeps_the_newest()
    {
        var original = Filled(500, 800);
        var restored = ExemplarRingSnapshot.Read(ExemplarRingSnapshot.Write(original), 100);
        Assert.Equal(100, restored.Count);
        Assert.Equal(Describe(original).TakeLast(100), Describe(restored));
    }

    [Fact]
    public void An_empty_ring_and_garbage_are_handled()
    {
        Assert.Equal(0, ExemplarRingSnapshot.Read(ExemplarRingSnapshot.Write(new ExemplarRing(10)), 10).Count);
        Assert.Throws<RingSnapshotFormatException>(() => ExemplarRingSnapshot.Read([1, 2, 3, 4, 5], 10));
    }

    [Fact]
    public void The_snapshot_is_compact()
    {
        var ring = Filled(10_000, 10_000);
        var bytes = ExemplarRingSnapshot.Write(ring).Length;
        output.WriteLine($"{bytes} bytes for {ring.Count} exemplars: {bytes / (double)ring.Count:0.0} B per exemplar");
        // A 16-hex trace id, a double, a timestamp: ~30 B of payload; series labels are written once.
        Assert.True(bytes / (double)ring.Count < 45, $"{bytes / (double)ring.Count:0.0} B per exemplar");
    }

    /// <summary>
    /// Written by the ring as it was before trace ids were packed into its entries (commit 21d7a10): a ring of 12 that
    /// wrapped, holding packed-to-be values (32 and 16 lowercase hex digits) and near misses that stay strings.
    /// </summary>
    private const string SnapshotBeforePacking =
        "T0VSUwEMBAhfX25hbWVfXwNqb2IIdHJhY2VfaWQHc3Bhbl9pZAICAAFtAQFhAgABbQEBYgwAAAAAAAAA+D8BZAECIDBhZjc2NTE5" +
        "MTZjZDQzZGQ4NDQ4ZWIyMTFjODAzMTljAQAAAAAAAABAAWUBAhBiN2FkNmI3MTY5MjAzMzMxAAAAAAAAAAhAAWYBAiAwQUY3NjUx" +
        "OTE2Q0Q0M0REODQ0OEVCMjExQzgwMzE5QwEAAAAAAAD4/wFnAQIfMGFmNzY1MTkxNmNkNDNkZDg0NDhlYjIxMWM4MDMxOQAAAAAA" +
        "AAAUQABoAQIgMGFmNzY1MTkxNmNkNDNkZDg0NDhlYjIxMWM4MDMxOWcBAAAAAAAAGEABaQECIDAwMDAwMDAwMDAwMDAwMDAwMDAw" +
        "MDAwMDAwMDAwMDAwAAAAAAAAABxAAWoBAiBmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZgEAAAAAAAAgQAFrAQMQYjdh" +
        "ZDZiNzE2OTIwMzMzMQAAAAAAAAAiQAFsAgMQMDBmMDY3YWEwYmE5MDJiNwIgNGJmOTJmMzU3N2IzNGRhNmEzY2U5MjlkMGUwZTQ3" +
        "MzYBAAAAAAAAJEABbQECIDAwMDAwMDAwMDAwMDAwMDBiN2FkNmI3MTY5MjAzMzMxAAAAAAAAAACAAW4BAiA0YmY5MmYzNTc3YjM0" +
        "ZGE2YTNjZTkyOWQwZTBlNDczNgEAAAAAAAAoQAFvAQIQQjdBRDZCNzE2OTIwMzMzMQ==";

    private static readonly string[] SnapshotBeforePackingEntries =
    [
        "{__name__=\"m\", job=\"a\"} {trace_id=\"0af7651916cd43dd8448eb211c80319c\"} 1.5 100 True",
        "{__name__=\"m\", job=\"b\"} {trace_id=\"b7ad6b7169203331\"} 2 101 True",
        "{__name__=\"m\", job=\"a\"} {trace_id=\"0AF7651916CD43DD8448EB211C80319C\"} 3 102 True",
        "{__name__=\"m\", job=\"b\"} {trace_id=\"0af7651916cd43dd8448eb211c80319\"} NaN 103 True",
        "{__name__=\"m\", job=\"a\"} {trace_id=\"0af7651916cd43dd8448eb211c80319g\"} 5 104 False",
        "{__name__=\"m\", job=\"b\"} {trace_id=\"00000000000000000000000000000000\"} 6 105 True",
        "{__name__=\"m\", job=\"a\"} {trace_id=\"ffffffffffffffffffffffffffffffff\"} 7 106 True",
        "{__name__=\"m\", job=\"b\"} {span_id=\"b7ad6b7169203331\"} 8 107 True",
        "{__name__=\"m\", job=\"a\"} {span_id=\"00f067aa0ba902b7\", trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 9 108 True",
        "{__name__=\"m\", job=\"b\"} {trace_id=\"0000000000000000b7ad6b7169203331\"} 10 109 True",
        "{__name__=\"m\", job=\"a\"} {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} -0 110 True",
        "{__name__=\"m\", job=\"b\"} {trace_id=\"B7AD6B7169203331\"} 12 111 True",
    ];

    [Fact]
    public void A_snapshot_written_before_packing_reads_back_exactly_and_is_rewritten_byte_for_byte()
    {
        var blob = Convert.FromBase64String(SnapshotBeforePacking);
        var restored = ExemplarRingSnapshot.Read(blob, 12);

        Assert.Equal(SnapshotBeforePackingEntries, Describe(restored));
        // Packing is internal to the ring: the body is unchanged, so the same ring writes the same bytes, now as version 2
        // (the checksum between the version and the body).
        Assert.Equal(blob, AsVersion1(ExemplarRingSnapshot.Write(restored)));
        // Duplicates of the newest entries are still recognised after the restore.
        var resent = new Exemplar(LabelSet.From(("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")), -0.0, 110, true);
        Assert.Equal(AppendOutcome.Duplicate, restored.Append(LabelSet.From(("__name__", "m"), ("job", "a")), resent));
    }

    [Fact]
    public void Packed_values_round_trip_through_a_snapshot()
    {
        var ring = new ExemplarRing(50);
        var series = LabelSet.From(("__name__", "m"));
        var values = ExemplarRingPackedLabelsTests.Values;
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(AppendOutcome.Appended, ring.Append(series, new Exemplar(LabelSet.From(("trace_id", values[i])), i, 2 * i, true)));
            Assert.Equal(AppendOutcome.Appended, ring.Append(series, new Exemplar(LabelSet.From(("span_id", values[i])), i, 2 * i + 1, true)));
        }
        var restored = ExemplarRingSnapshot.Read(ExemplarRingSnapshot.Write(ring), 50);
        Assert.Equal(Describe(ring), Describe(restored));
        Assert.Equal(values, Describe(restored).Where(d => d.Contains("trace_id")).Select(d => d.Split('"')[3]));
    }

    [Theory]
    [InlineData(500, 1_300, 1)]
    [InlineData(64, 40, 2)]
    [InlineData(1_000, 5_000, 3)]
    public void The_writer_writes_what_a_BinaryWriter_over_the_entries_writes(int capacity, int appends, int seed)
    {
        var ring = Filled(capacity, appends);
        // Exemplars with a different single label name, none, negative and untimestamped ones, so every entry kind and
        // every 7-bit length is covered.
        var random = new Random(seed);
        var series = LabelSet.From(("__name__", "m"), ("other", "é"));
        Span<byte> id = stackalloc byte[16];
        for (var i = 0; i < 80; i++)
        {
            random.NextBytes(id);
            var labels = (i % 8) switch
            {
                6 => LabelSet.From(("span_id", Convert.ToHexStringLower(id[..8])), ("trace_id", Convert.ToHexStringLower(id))), // packed pair
                7 => LabelSet.From(("span_id", Convert.ToHexString(id[..8])), ("trace_id", Convert.ToHexStringLower(id))), // uppercase: a LabelSet
                0 => LabelSet.From(("span_id", $"s{i}")),
                1 => LabelSet.Empty,
                2 => LabelSet.From(("trace_id", new string('x', 200 + i))),
                3 => LabelSet.From(("trace_id", Convert.ToHexStringLower(id))), // packed in the ring
                4 => LabelSet.From(("trace_id", Convert.ToHexStringLower(id[..8]))), // packed, 16 digits
                _ => LabelSet.From(("trace_id", $"t{random.Next()}")),
            };
            ring.Append(series, new Exemplar(labels, -random.NextDouble(), 10_000 + i, i % 3 != 0));
        }

        Assert.Equal(ReferenceSnapshot(ring), ExemplarRingSnapshot.Write(ring));
    }

    [Fact]
    public void Pairs_are_written_as_their_label_sets_whatever_came_first()
    {
        // Pair names new to the snapshot's name table, then already in it (from series and other exemplars).
        var pairs = ExemplarRingPackedLabelsTests.Pairs;
        foreach (var lead in new[] { LabelSet.Empty, LabelSet.From(("trace_id", "x")), LabelSet.From(("zz", "1"), ("trace_id", "y")) })
        {
            var ring = new ExemplarRing(30);
            ring.Append(LabelSet.From(("__name__", "m"), ("span_id", "s")), new Exemplar(lead, 0, 0, true));
            for (var i = 0; i < 2 * pairs.Length; i++)
            {
                ring.Append(LabelSet.From(("__name__", "m"), ("i", (i % 3).ToString())), new Exemplar(pairs[i % pairs.Length], i, 1 + i, i % 2 == 0));
            }
            var bytes = ExemplarRingSnapshot.Write(ring);
            Assert.Equal(ReferenceSnapshot(ring), bytes);
            Assert.Equal(Describe(ring), Describe(ExemplarRingSnapshot.Read(bytes, 30)));
        }
    }

    [Fact]
    public void Version_2_is_version_1_with_a_checksum_of_the_body_and_any_damage_to_it_is_caught()
    {
        var ring = Filled(200, 300);
        var v2 = ExemplarRingSnapshot.Write(ring);
        Assert.Equal(2, v2[4]);
        Assert.Equal(WalFrame.Crc32C(v2.AsSpan(9)), BitConverter.ToUInt32(v2, 5));
        // A version 1 snapshot of the same ring (no checksum) reads back to the same ring.
        Assert.Equal(Describe(ring), Describe(ExemplarRingSnapshot.Read(AsVersion1(v2), 200)));

        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var damaged = v2.ToArray();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            Assert.Throws<RingSnapshotFormatException>(() => ExemplarRingSnapshot.Read(damaged, 200));
        }
    }

    /// <summary>A version 2 snapshot without its checksum: the version 1 snapshot of the same ring.</summary>
    private static byte[] AsVersion1(byte[] version2)
    {
        Assert.Equal(2, version2[4]);
        return [.. version2[..4], 1, .. version2[9..]];
    }

    /// <summary>Version 2: version 1 as it was first written, a BinaryWriter over <see cref="ExemplarRing.EntriesOldestFirst"/>, with a checksum.</summary>
    private static byte[] ReferenceSnapshot(ExemplarRing ring)
    {
        var v1 = ReferenceSnapshotVersion1(ring);
        var body = v1[5..];
        return [.. v1[..4], 2, .. BitConverter.GetBytes(WalFrame.Crc32C(body)), .. body];
    }

    private static byte[] ReferenceSnapshotVersion1(ExemplarRing ring)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            var entries = ring.EntriesOldestFirst().ToList();
            var series = new Dictionary<LabelSet, int>();
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (s, e) in entries)
            {
                series.TryAdd(s, series.Count);
                foreach (var l in s.AsSpan()) names.TryAdd(l.Name, names.Count);
                foreach (var l in e.Labels.AsSpan()) names.TryAdd(l.Name, names.Count);
            }
            void WriteLabels(LabelSet labels)
            {
                writer.Write7BitEncodedInt(labels.Count);
                foreach (var l in labels.AsSpan())
                {
                    writer.Write7BitEncodedInt(names[l.Name]);
                    writer.Write(l.Value);
                }
            }
            writer.Write(0x5352454Fu);
            writer.Write((byte)1);
            writer.Write7BitEncodedInt(ring.Capacity);
            writer.Write7BitEncodedInt(names.Count);
            foreach (var name in names.Keys) writer.Write(name);
            writer.Write7BitEncodedInt(series.Count);
            foreach (var s in series.Keys) WriteLabels(s);
            writer.Write7BitEncodedInt(entries.Count);
            foreach (var (s, e) in entries)
            {
                writer.Write7BitEncodedInt(series[s]);
                writer.Write(e.Value);
                writer.Write((byte)(e.HasTimestamp ? 1 : 0));
                writer.Write7BitEncodedInt64(e.TimestampMs);
                WriteLabels(e.Labels);
            }
        }
        return stream.ToArray();
    }

    private static List<string> Describe(ExemplarRing ring) =>
        ring.EntriesOldestFirst().Select(e => $"{e.Series} {e.Exemplar.Labels} {e.Exemplar.Value} {e.Exemplar.TimestampMs} {e.Exemplar.HasTimestamp}").ToList();
}
