using System.Reflection;
using System.Runtime.CompilerServices;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>
/// Trace ids and span ids (32 or 16 lowercase hex digits) are packed into the ring's entries: reading must give back
/// exactly what was appended, and duplicate detection must see through the packing.
/// </summary>
public class ExemplarRingPackedLabelsTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string Span = "00f067aa0ba902b7";

    private static readonly LabelSet A = Series("a");
    private static readonly LabelSet B = Series("b");

    /// <summary>Packed, near misses kept as strings, other names, several labels: every form the ring has.</summary>
    public static readonly string[] Values =
    [
        Trace,
        Span,
        "000000000000000000f067aa0ba902b7", // the span id's number as 32 digits
        "00000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffff",
        "4BF92F3577B34DA6A3CE929D0E0E4736",
        "4bf92f3577b34da6a3ce929d0e0e473A",
        "00F067AA0BA902B7",
        "4bf92f3577b34da6a3ce929d0e0e473",
        "4bf92f3577b34da6a3ce929d0e0e47360",
        "00f067aa0ba902b",
        "4bf92f3577b34da6a3ce929d0e0e473g",
        "4bf92f3577b34da6a3ce929d0e0e473\u0660",
        "x",
    ];

    private static IEnumerable<LabelSet> AllLabelSets() =>
        Values.Select(v => LabelSet.From(("trace_id", v)))
            .Concat(Values.Select(v => LabelSet.From(("span_id", v))))
            .Concat(Pairs)
            .Append(LabelSet.Empty);

    /// <summary>OpenTelemetry's span_id + trace_id pair, other packable pairs, and near misses that stay label sets.</summary>
    public static readonly LabelSet[] Pairs =
    [
        LabelSet.From(("trace_id", Trace), ("span_id", Span)), // the pair names: packed
        LabelSet.From(("trace_id", "000000000000000000f067aa0ba902b7"), ("span_id", "0000000000000000")),
        LabelSet.From(("trace_id", Span), ("span_id", Span)), // 16 + 16 digits: packed
        LabelSet.From(("trace_id", Span), ("span_id", Trace)), // 32 + 16 digits: packed
        LabelSet.From(("trace_id", Trace), ("span_id", Trace)), // 32 + 32: too wide, a label set
        LabelSet.From(("trace_id", Trace.ToUpperInvariant()), ("span_id", Span)),
        LabelSet.From(("trace_id", Trace), ("span_id", Span.ToUpperInvariant())),
        LabelSet.From(("trace_id", Trace[..31]), ("span_id", Span)),
        LabelSet.From(("trace_id", Trace), ("span_id", Span + "0")),
        LabelSet.From(("trace_id", Trace), ("span_id", "x")),
        LabelSet.From(("trace_id", Trace), ("parent_id", Span)), // other names
        LabelSet.From(("a", Span), ("b", Trace)),
        LabelSet.From(("trace_id", Trace), ("span_id", Span), ("x", "y")),
    ];

    [Fact]
    public void Select_and_EntriesOldestFirst_return_the_appended_label_sets_exactly()
    {
        var appended = AllLabelSets().ToList();
        var ring = new ExemplarRing(100);
        for (var i = 0; i < appended.Count; i++) Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(appended[i], i)));

        var selected = ring.Select(long.MinValue, long.MaxValue, MatchAll).Single().Exemplars;
        Assert.Equal(appended.Select(l => l.ToString()), selected.Select(e => e.Labels.ToString()));
        for (var i = 0; i < appended.Count; i++)
        {
            Assert.Equal(appended[i], selected[i].Labels);
            // Byte for byte, not just equal under some comparison.
            Assert.Equal(appended[i].AsSpan().ToArray().Select(l => (l.Name, l.Value)),
                selected[i].Labels.AsSpan().ToArray().Select(l => (l.Name, l.Value)));
        }
        Assert.Equal(appended.Select(l => l.ToString()), ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));
    }

    [Fact]
    public void Values_survive_eviction_wrap_and_resize()
    {
        var appended = AllLabelSets().ToList();
        var ring = new ExemplarRing(7);
        for (var i = 0; i < appended.Count; i++) ring.Append(i % 2 == 0 ? A : B, Ex(appended[i], i));
        var expected = appended.TakeLast(7).Select(l => l.ToString()).ToList();
        Assert.Equal(expected, ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));

        ring.Resize(20);
        Assert.Equal(expected, ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));
        ring.Resize(3);
        Assert.Equal(expected.TakeLast(3), ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));
    }

    [Theory]
    [InlineData(Trace)]
    [InlineData(Span)]
    [InlineData("4BF92F3577B34DA6A3CE929D0E0E4736")]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473")]
    public void A_resent_exemplar_is_a_duplicate_even_with_a_fresh_value_string(string value)
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, new Exemplar(LabelSet.From(("trace_id", value)), 1.5, 10, true));
        // A decoder hands over a new string each time: equal content, other instance.
        var resent = new Exemplar(LabelSet.From((new string("trace_id"), new string(value))), 1.5, 10, true);
        Assert.Equal(AppendOutcome.Duplicate, ring.Validate(A, resent));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, resent));
        Assert.Equal(1, ring.DuplicateTotal);
    }

    [Theory]
    [InlineData(Trace, "4bf92f3577b34da6a3ce929d0e0e4737")] // last digit
    [InlineData(Trace, "5bf92f3577b34da6a3ce929d0e0e4736")] // first digit
    [InlineData(Trace, "4bf92f3577b34da7a3ce929d0e0e4736")] // last digit of the high half
    [InlineData(Trace, "4bf92f3577b34da6b3ce929d0e0e4736")] // first digit of the low half
    [InlineData(Trace, "4BF92F3577B34DA6A3CE929D0E0E4736")] // packed against its uppercase string
    [InlineData(Span, "000000000000000000f067aa0ba902b7")] // same number, 16 against 32 digits
    [InlineData(Span, "00f067aa0ba902b8")]
    [InlineData(Span, "00F067AA0BA902B7")]
    [InlineData("00000000000000000000000000000000", "0000000000000000")]
    public void Different_values_at_the_same_timestamp_are_out_of_order_not_duplicates(string stored, string incoming)
    {
        foreach (var (first, second) in new[] { (stored, incoming), (incoming, stored) })
        {
            var ring = new ExemplarRing(10);
            ring.Append(A, new Exemplar(LabelSet.From(("trace_id", first)), 1.5, 10, true));
            var next = new Exemplar(LabelSet.From(("trace_id", second)), 1.5, 10, true);
            Assert.Equal(AppendOutcome.OutOfOrder, ring.Validate(A, next));
            Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, next));
            Assert.Equal(AppendOutcome.Appended, ring.Append(A, next with { TimestampMs = 11 }));
        }
    }

    [Fact]
    public void The_same_value_under_another_name_is_not_a_duplicate()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, new Exemplar(LabelSet.From(("trace_id", Trace)), 1, 10, true));
        var other = new Exemplar(LabelSet.From(("span_id", Trace)), 1, 10, true);
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, other));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, other with { TimestampMs = 11 }));
        // Now span_id's entry is the newest and stored as a label set; resending it is a duplicate.
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, other with { TimestampMs = 11 }));
        Assert.Equal("{span_id=\"" + Trace + "\"}", ring.EntriesOldestFirst().Last().Exemplar.Labels.ToString());
    }

    [Fact]
    public void Validate_does_not_choose_the_compact_name()
    {
        // Validating a span_id exemplar first must not make span_id the name that gets packed: appending trace ids
        // afterwards still packs them, and span ids (now another name) stay label sets. Both read back the same.
        var ring = new ExemplarRing(10);
        Assert.Equal(AppendOutcome.Appended, ring.Validate(A, new Exemplar(LabelSet.From(("span_id", Span)), 1, 1, true)));
        ring.Append(A, new Exemplar(LabelSet.From(("trace_id", Trace)), 1, 2, true));
        ring.Append(A, new Exemplar(LabelSet.From(("span_id", Span)), 1, 3, true));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, new Exemplar(LabelSet.From(("span_id", Span)), 1, 3, true)));
        Assert.Equal(
            ["{trace_id=\"" + Trace + "\"}", "{span_id=\"" + Span + "\"}"],
            ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));
    }

    [Fact]
    public void Pairs_are_read_back_exactly_whichever_pair_came_first()
    {
        // Each pair in turn first, so each packable one in turn gives the ring its pair names.
        for (var first = 0; first < Pairs.Length; first++)
        {
            var appended = Pairs.Skip(first).Concat(Pairs.Take(first)).ToList();
            var ring = new ExemplarRing(100);
            for (var i = 0; i < appended.Count; i++) Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(appended[i], i)));
            Assert.Equal(appended.Select(l => l.ToString()), ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));
            Assert.Equal(appended, ring.Select(long.MinValue, long.MaxValue, MatchAll).Single().Exemplars.Select(e => e.Labels));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(11)]
    public void A_resent_pair_is_a_duplicate_even_with_fresh_strings(int pair)
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, new Exemplar(Pairs[pair], 1.5, 10, true));
        var resent = new Exemplar(LabelSet.FromOwnedArray(
            Pairs[pair].AsSpan().ToArray().Select(l => new Label(new string(l.Name), new string(l.Value))).ToArray()), 1.5, 10, true);
        Assert.Equal(AppendOutcome.Duplicate, ring.Validate(A, resent));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, resent));
        Assert.Equal(1, ring.DuplicateTotal);
    }

    [Fact]
    public void Different_pairs_at_the_same_timestamp_are_out_of_order_not_duplicates()
    {
        // Every two different label sets among the pairs and the single trace id or span id of the pair's values.
        var sets = Pairs.Concat([LabelSet.From(("trace_id", Trace)), LabelSet.From(("span_id", Span)),
            LabelSet.From(("span_id", Span), ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4737")),
            LabelSet.From(("span_id", "00f067aa0ba902b8"), ("trace_id", Trace))]).ToList();
        foreach (var stored in sets)
        {
            foreach (var incoming in sets.Where(x => !x.Equals(stored)))
            {
                var ring = new ExemplarRing(10);
                // A packed pair first, so the pair names are set whichever comes next.
                ring.Append(B, new Exemplar(Pairs[0], 1, 1, true));
                ring.Append(A, new Exemplar(stored, 1.5, 10, true));
                var next = new Exemplar(incoming, 1.5, 10, true);
                Assert.Equal(AppendOutcome.OutOfOrder, ring.Validate(A, next));
                Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, next));
            }
        }
    }

    [Fact]
    public void A_pair_is_not_a_duplicate_of_its_trace_id_alone()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, new Exemplar(LabelSet.From(("trace_id", Trace)), 1, 10, true));
        var pair = new Exemplar(Pairs[0], 1, 10, true);
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, pair));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, pair with { TimestampMs = 11 }));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, new Exemplar(LabelSet.From(("trace_id", Trace)), 1, 11, true)));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, pair with { TimestampMs = 11 }));
    }

    [Fact]
    public void Validate_does_not_choose_the_pair_names()
    {
        // Validating a packable pair under other names first must not make those the pair names.
        var ring = new ExemplarRing(10);
        var other = LabelSet.From(("a", Span), ("b", Trace));
        Assert.Equal(AppendOutcome.Appended, ring.Validate(A, new Exemplar(other, 1, 1, true)));
        ring.Append(A, new Exemplar(Pairs[0], 1, 2, true));
        ring.Append(A, new Exemplar(other, 1, 3, true));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, new Exemplar(other, 1, 3, true)));
        Assert.Equal([Pairs[0].ToString(), other.ToString()], ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.ToString()));
    }

    [Fact]
    public void Packable_pairs_are_rebuilt_and_the_rest_kept_as_appended()
    {
        // The point of the pair form: no label set kept per exemplar, so reading one back builds a new one. The first
        // four pairs pack (the ring's pair names, values of 16+32, 16+16, 32+16 digits); the rest do not.
        var ring = new ExemplarRing(100);
        for (var i = 0; i < Pairs.Length; i++) ring.Append(A, Ex(Pairs[i], i));
        var read = ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels).ToList();
        Assert.Equal(Pairs, read);
        Assert.Equal(Pairs.Select((_, i) => i >= 4), read.Select((l, i) => ReferenceEquals(l, Pairs[i])));
    }

    [Fact]
    public void A_pair_that_does_not_pack_does_not_claim_the_pair_names()
    {
        // Only a pair that packs decides the names: a first two-label set under other names, unpackable, must not keep
        // the OpenTelemetry pair that comes after it from being packed (rebuilt on read, not kept).
        var ring = new ExemplarRing(10);
        var other = LabelSet.From(("a", "x"), ("b", "y"));
        ring.Append(A, Ex(other, 1));
        ring.Append(A, Ex(Pairs[0], 2));
        var read = ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels).ToList();
        Assert.Equal([other, Pairs[0]], read);
        Assert.Same(other, read[0]);
        Assert.NotSame(Pairs[0], read[1]);
    }

    [Fact]
    public void An_entry_is_56_bytes()
    {
        // Growing the entry costs 100 000 x the growth in a full ring: this fails if a field is added by mistake.
        var entry = typeof(ExemplarRing).GetNestedType("Entry", BindingFlags.NonPublic)!;
        var size = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(entry).Invoke(null, null)!;
        Assert.Equal(56, size);
    }
}
