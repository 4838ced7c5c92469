using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

public class ExemplarRingTests
{
    private static readonly LabelSet A = Series("a");
    private static readonly LabelSet B = Series("b");
    private static readonly LabelSet C = Series("c");

    // --- append, eviction -------------------------------------------------------------------------------------------

    [Fact]
    public void Append_stores_exemplars_oldest_first_per_series()
    {
        var ring = new ExemplarRing(10);
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(1)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(5)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(2, 7.5, "x")));

        Assert.Equal(3, ring.Count);
        Assert.Equal(2, ring.SeriesCount);
        Assert.Equal(3, ring.AppendedTotal);
        var result = ring.Select(0, 10, MatchAll);
        Assert.Equal("a:1,2 | b:5", Shape(result));
        Assert.Equal(Ex(2, 7.5, "x"), result[0].Exemplars[1]);
        Assert.Same(A, result[0].Series);
    }

    [Fact]
    public void Full_ring_evicts_the_oldest_entry_and_moves_its_series_oldest_pointer()
    {
        var ring = new ExemplarRing(3);
        ring.Append(A, Ex(1));
        ring.Append(A, Ex(2));
        ring.Append(B, Ex(10));
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(11)));

        Assert.Equal(3, ring.Count);
        Assert.Equal(2, ring.SeriesCount);
        Assert.Equal("a:2 | b:10,11", Shape(ring));

        ring.Append(C, Ex(20));
        ring.Append(C, Ex(21));
        Assert.Equal("b:11 | c:20,21", Shape(ring));
    }

    [Fact]
    public void Evicting_the_last_entry_of_a_series_removes_the_series()
    {
        var ring = new ExemplarRing(2);
        ring.Append(A, Ex(100));
        ring.Append(B, Ex(1));
        ring.Append(B, Ex(2));

        Assert.Equal(1, ring.SeriesCount);
        Assert.Equal("b:1,2", Shape(ring));
        Assert.Empty(ring.Select(0, 1000, Sets([LabelMatcher.Equal("job", "a")])));
        // With its index entry gone, the series has no newest to be out of order against.
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(50)));
        Assert.Equal("a:50 | b:2", Shape(ring));
    }

    [Fact]
    public void Appending_to_a_series_whose_only_entry_is_being_overwritten_keeps_the_series()
    {
        var one = new ExemplarRing(1);
        one.Append(A, Ex(1));
        Assert.Equal(AppendOutcome.Appended, one.Append(A, Ex(2)));
        Assert.Equal("a:2", Shape(one));
        Assert.Equal(1, one.SeriesCount);

        var two = new ExemplarRing(2);
        two.Append(A, Ex(1));
        two.Append(B, Ex(1));
        Assert.Equal(AppendOutcome.Appended, two.Append(A, Ex(3))); // overwrites A@1, A's only entry
        Assert.Equal("a:3 | b:1", Shape(two));
        Assert.Equal(AppendOutcome.Appended, two.Append(B, Ex(2)));
        Assert.Equal(AppendOutcome.Appended, two.Append(A, Ex(4)));
        Assert.Equal("a:4 | b:2", Shape(two));
        Assert.Equal(2, two.SeriesCount);
    }

    [Fact]
    public void Out_of_order_check_uses_the_newest_even_when_it_is_about_to_be_overwritten()
    {
        var ring = new ExemplarRing(2);
        ring.Append(A, Ex(10));
        ring.Append(B, Ex(1));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(5)));
        Assert.Equal("a:10 | b:1", Shape(ring));
    }

    [Fact]
    public void Eviction_over_many_wraps_keeps_exactly_the_newest_capacity_entries()
    {
        var ring = new ExemplarRing(7);
        var series = new[] { A, B, C };
        for (var i = 0; i < 100; i++) ring.Append(series[i * i % 3], Ex(i));

        var kept = Enumerable.Range(93, 7).ToArray();
        Assert.Equal(kept.Select(i => (long)i), ring.EntriesOldestFirst().Select(e => e.Exemplar.TimestampMs));
        Assert.Equal(kept.Select(i => series[i * i % 3]), ring.EntriesOldestFirst().Select(e => e.Series));
        Assert.Equal(7, ring.Count);
        Assert.Equal(kept.Select(i => i * i % 3).Distinct().Count(), ring.SeriesCount);
        Assert.Equal(93, ring.OldestEntryTimestampMs);
    }

    // --- duplicates -------------------------------------------------------------------------------------------------

    [Fact]
    public void Resending_the_newest_exemplar_is_a_silent_duplicate()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(10, 1.5, "x"));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, Ex(10, 1.5, "x")));
        Assert.Equal(AppendOutcome.Duplicate, ring.Validate(A, Ex(10, 1.5, "x")));
        Assert.Equal(1, ring.Count);
        Assert.Equal(1, ring.DuplicateTotal);
        Assert.Equal(0, ring.OutOfOrderTotal);
        Assert.Equal(1, ring.AppendedTotal);
    }

    [Fact]
    public void Duplicate_ignores_timestamps_only_when_neither_exemplar_has_one()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(100, hasTs: false));
        // Neither has a timestamp: the scrape-time timestamps differ, still the same exemplar, even when older.
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, Ex(200, hasTs: false)));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, Ex(50, hasTs: false)));
        // One has a timestamp: timestamps must match for a duplicate.
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, Ex(100, hasTs: true)));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(50, hasTs: true)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(300, hasTs: true)));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(250, hasTs: false)));

        var stored = ring.Select(0, 1000, MatchAll).Single().Exemplars;
        Assert.Equal([Ex(100, hasTs: false), Ex(300, hasTs: true)], stored);
    }

    [Fact]
    public void Duplicate_is_only_checked_against_the_series_newest()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(1, 1));
        ring.Append(A, Ex(2, 2));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(1, 1)));
        // Same exemplar as A's newest but for another series: a different series, so appended.
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(2, 2)));
    }

    [Fact]
    public void Different_value_or_labels_at_the_same_timestamp_is_out_of_order_not_duplicate()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(10, 1, "x"));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(10, 2, "x")));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(10, 1, "y")));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, new Exemplar(LabelSet.Empty, 1, 10, true)));
        Assert.Equal(3, ring.OutOfOrderTotal);
        Assert.Equal(0, ring.DuplicateTotal);
    }

    [Fact]
    public void NaN_value_is_never_a_duplicate()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(10, double.NaN));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(10, double.NaN)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(11, double.NaN)));

        ring.Append(B, Ex(10, double.NaN, hasTs: false));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(B, Ex(10, double.NaN, hasTs: false)));
        Assert.Equal(0, ring.DuplicateTotal);
    }

    // --- out of order -----------------------------------------------------------------------------------------------

    [Fact]
    public void Timestamp_not_after_the_newest_is_out_of_order_and_counted_only_by_append()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(10, 1));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Validate(A, Ex(10, 2)));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Validate(A, Ex(9, 2)));
        Assert.Equal(0, ring.OutOfOrderTotal);

        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(10, 2))); // equal timestamp
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(-5, 2)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(11, 2)));
        Assert.Equal(2, ring.OutOfOrderTotal);
        Assert.Equal("a:10,11", Shape(ring));
        // Order is per series.
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(1)));
    }

    // --- label set length -------------------------------------------------------------------------------------------

    [Fact]
    public void Label_set_of_exactly_128_runes_is_accepted_and_129_rejected()
    {
        var ring = new ExemplarRing(10);
        // "trace_id" is 8 runes; quotes, '=' and ',' of the text form do not count.
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(1, trace: new string('x', 120))));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Append(A, Ex(2, trace: new string('x', 121))));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Validate(A, Ex(2, trace: new string('x', 121))));
        Assert.Equal(1, ring.TooLongTotal);
        Assert.Equal(1, ring.Count);

        var twoLabels = LabelSet.From(("a", new string('1', 63)), ("b", new string('2', 63)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(twoLabels, 1)));
        var twoLabelsTooLong = LabelSet.From(("a", new string('1', 63)), ("bb", new string('2', 63)));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Append(B, Ex(twoLabelsTooLong, 2)));
    }

    [Fact]
    public void Label_set_length_counts_runes_not_utf16_units_or_bytes()
    {
        var ring = new ExemplarRing(10);
        // 'é': one rune, one UTF-16 unit, two UTF-8 bytes.
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(1, trace: new string('é', 120))));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Append(A, Ex(2, trace: new string('é', 121))));

        // U+1F600: one rune, two UTF-16 units, four UTF-8 bytes. 8 + 120 = 128 runes, 248 UTF-16 units.
        var grin = char.ConvertFromUtf32(0x1F600);
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(1, trace: string.Concat(Enumerable.Repeat(grin, 120)))));
        Assert.Equal(AppendOutcome.LabelSetTooLong,
            ring.Append(B, Ex(2, trace: string.Concat(Enumerable.Repeat(grin, 121)))));

        // Non-ASCII label names count the same way.
        var name = string.Concat(Enumerable.Repeat(grin, 64));
        Assert.Equal(AppendOutcome.Appended, ring.Append(C, Ex(LabelSet.From((name, new string('v', 64))), 1)));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Append(C, Ex(LabelSet.From((name, new string('v', 65))), 2)));
    }

    [Fact]
    public void Length_is_checked_before_order_and_a_rejected_new_series_is_not_created()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(10));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Append(A, Ex(5, trace: new string('x', 200))));
        Assert.Equal(AppendOutcome.LabelSetTooLong, ring.Append(B, Ex(5, trace: new string('x', 200))));
        Assert.Equal(1, ring.SeriesCount);
        Assert.Equal(0, ring.OutOfOrderTotal);
        Assert.Equal(2, ring.TooLongTotal);
    }

    [Fact]
    public void Empty_valued_exemplar_labels_are_dropped_before_validation_as_prometheus_head_does()
    {
        var ring = new ExemplarRing(10);
        var padded = LabelSet.From(("trace_id", new string('x', 120)), ("pad", ""));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(padded, 1)));
        var stored = ring.Select(0, 10, MatchAll).Single().Exemplars.Single();
        Assert.Equal(LabelSet.From(("trace_id", new string('x', 120))), stored.Labels);
        // Dropping makes the resend equal to the stored exemplar.
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, Ex(LabelSet.From(("trace_id", new string('x', 120))), 1)));
        Assert.Equal(AppendOutcome.Duplicate, ring.Validate(A, Ex(padded, 1)));
        Assert.Equal(AppendOutcome.Appended, ring.Append(B, Ex(LabelSet.From(("only", "")), 1)));
        Assert.Same(LabelSet.Empty, ring.Select(0, 10, Sets([LabelMatcher.Equal("job", "b")])).Single().Exemplars[0].Labels);
    }

    [Fact]
    public void Exemplar_labels_round_trip_whatever_their_shape()
    {
        // The ring stores single labels of the first single-label name compactly; every shape must come back as sent.
        var shapes = new[]
        {
            LabelSet.From(("trace_id", "t1")),
            LabelSet.From(("span_id", "t1")),
            LabelSet.From(("span_id", "s"), ("trace_id", "t1")),
            LabelSet.Empty,
            LabelSet.From(("trace_id", "t2")),
        };
        var ring = new ExemplarRing(10);
        for (var i = 0; i < shapes.Length; i++) Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(shapes[i], i)));

        Assert.Equal(shapes, ring.Select(0, 10, MatchAll).Single().Exemplars.Select(e => e.Labels));
        Assert.Equal(shapes, ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels));
    }

    [Fact]
    public void Duplicate_detection_compares_label_names_as_well_as_values()
    {
        var ring = new ExemplarRing(10);
        ring.Append(A, Ex(LabelSet.From(("trace_id", "x")), 10));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(LabelSet.From(("span_id", "x")), 10)));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(A, Ex(LabelSet.From(("span_id", "y"), ("trace_id", "x")), 10)));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(A, Ex(LabelSet.From(("trace_id", "x")), 10)));

        ring.Append(B, Ex(LabelSet.From(("span_id", "x")), 10));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(B, Ex(LabelSet.From(("trace_id", "x")), 10)));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(B, Ex(LabelSet.From(("span_id", "x")), 10)));

        ring.Append(C, Ex(LabelSet.From(("span_id", "y"), ("trace_id", "x")), 10));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(C, Ex(LabelSet.From(("trace_id", "x")), 10)));
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(C, Ex(LabelSet.From(("span_id", "y"), ("trace_id", "x")), 10)));
    }

    // --- capacity 0 -------------------------------------------------------------------------------------------------

    [Fact]
    public void Capacity_zero_disables_the_ring()
    {
        var ring = new ExemplarRing(0);
        Assert.Equal(AppendOutcome.Disabled, ring.Append(A, Ex(1)));
        Assert.Equal(AppendOutcome.Disabled, ring.Validate(A, Ex(1)));
        Assert.Equal(AppendOutcome.Disabled, ring.Append(A, Ex(1, trace: new string('x', 500))));
        Assert.Equal(0, ring.Count);
        Assert.Equal(0, ring.SeriesCount);
        Assert.Equal(0, ring.AppendedTotal + ring.TooLongTotal + ring.DuplicateTotal + ring.OutOfOrderTotal);
        Assert.Empty(ring.Select(long.MinValue, long.MaxValue, MatchAll));
        Assert.Empty(ring.EntriesOldestFirst());
        Assert.Null(ring.OldestEntryTimestampMs);
    }

    [Fact]
    public void Negative_capacity_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExemplarRing(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExemplarRing(1).Resize(-1));
    }

    // --- select: time range -----------------------------------------------------------------------------------------
}
