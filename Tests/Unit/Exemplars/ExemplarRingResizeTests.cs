using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>Resize, replay of EntriesOldestFirst, and Validate.</summary>
public class ExemplarRingResizeTests
{
    private static readonly LabelSet A = Series("a");
    private static readonly LabelSet B = Series("b");
    private static readonly LabelSet C = Series("c");


    [Fact]
    public void Resize_to_larger_keeps_everything_and_wraps_later()
    {
        var ring = new ExemplarRing(3);
        for (var i = 1; i <= 5; i++) ring.Append(i % 2 == 0 ? A : B, Ex(i)); // keeps 3,4,5
        Assert.Equal(3, ring.Resize(5));
        Assert.Equal(5, ring.Capacity);
        Assert.Equal("a:4 | b:3,5", Shape(ring));
        ring.Append(A, Ex(6));
        ring.Append(A, Ex(7));
        Assert.Equal(5, ring.Count);
        ring.Append(C, Ex(8)); // evicts 3, B's oldest
        Assert.Equal("a:4,6,7 | b:5 | c:8", Shape(ring));
    }

    [Fact]
    public void Resize_to_smaller_keeps_the_newest_entries_and_drops_emptied_series()
    {
        var ring = new ExemplarRing(6);
        ring.Append(C, Ex(1));
        ring.Append(A, Ex(2));
        ring.Append(B, Ex(3));
        ring.Append(A, Ex(4));
        ring.Append(B, Ex(5));
        Assert.Equal(3, ring.Resize(3));
        Assert.Equal("a:4 | b:3,5", Shape(ring));
        Assert.Equal(2, ring.SeriesCount);
        Assert.Equal(3, ring.Count);
        // Full at the new size: the next append evicts B@3.
        ring.Append(C, Ex(6));
        Assert.Equal("a:4 | b:5 | c:6", Shape(ring));
        // Out-of-order state survives the resize.
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(B, Ex(5, 2)));
    }

    [Fact]
    public void Resize_of_a_partly_filled_ring_keeps_what_fits()
    {
        var ring = new ExemplarRing(100);
        for (var i = 0; i < 10; i++) ring.Append(i < 5 ? A : B, Ex(i));
        Assert.Equal(4, ring.Resize(4));
        Assert.Equal("b:6,7,8,9", Shape(ring));
        Assert.Equal(0, ring.Resize(4));
        Assert.Equal(4, ring.Resize(1000));
        Assert.Equal("b:6,7,8,9", Shape(ring));
    }

    [Fact]
    public void Resize_to_zero_disables_and_back_enables_empty()
    {
        var ring = new ExemplarRing(4);
        ring.Append(A, Ex(1));
        ring.Append(A, Ex(2));
        Assert.Equal(0, ring.Resize(0));
        Assert.Equal(0, ring.Count);
        Assert.Equal(AppendOutcome.Disabled, ring.Append(A, Ex(3)));
        Assert.Empty(ring.Select(0, 10, MatchAll));
        Assert.Equal(0, ring.Resize(2));
        Assert.Equal(AppendOutcome.Appended, ring.Append(A, Ex(1)));
        Assert.Equal("a:1", Shape(ring));
        Assert.Equal(3, ring.AppendedTotal); // counters survive resizes
    }

    [Fact]
    public void Resize_equals_a_fresh_ring_fed_with_the_newest_entries()
    {
        var series = new[] { A, B, C, Series("d") };
        var ring = new ExemplarRing(9);
        for (var i = 0; i < 40; i++) ring.Append(series[(i * 7 + i / 3) % 4], Ex(i, i % 3));
        var entries = ring.EntriesOldestFirst().ToList();

        foreach (var size in new[] { 1, 4, 9, 12 })
        {
            var resized = new ExemplarRing(9);
            foreach (var (s, e) in entries) resized.Append(s, e);
            resized.Resize(size);

            var fresh = new ExemplarRing(size);
            foreach (var (s, e) in entries.Skip(Math.Max(0, entries.Count - size))) fresh.Append(s, e);
            AssertSameRing(fresh, resized);

            for (var i = 40; i < 60; i++)
            {
                var s = series[i % 4];
                Assert.Equal(fresh.Append(s, Ex(i)), resized.Append(s, Ex(i)));
            }
            AssertSameRing(fresh, resized);
        }
    }

    // --- EntriesOldestFirst -----------------------------------------------------------------------------------------

    [Fact]
    public void EntriesOldestFirst_replayed_into_a_fresh_ring_rebuilds_an_identical_ring()
    {
        var series = new[] { A, B, C };
        foreach (var appends in new[] { 0, 3, 8, 9, 25 })
        {
            var original = new ExemplarRing(8);
            for (var i = 0; i < appends; i++) original.Append(series[i % 3 == 2 ? 0 : i % 3], Ex(i, i, $"t{i}", i % 4 != 0));

            var copy = new ExemplarRing(8);
            foreach (var (s, e) in original.EntriesOldestFirst()) Assert.Equal(AppendOutcome.Appended, copy.Append(s, e));
            AssertSameRing(original, copy);

            // Identical from here on too: same evictions, same rejections.
            for (var i = appends; i < appends + 20; i++)
            {
                var s = series[i % 3];
                var e = Ex(i - (i % 5 == 0 ? 3 : 0), 1, $"t{i}");
                Assert.Equal(original.Append(s, e), copy.Append(s, e));
                AssertSameRing(original, copy);
            }
        }
    }

    [Fact]
    public void EntriesOldestFirst_is_in_append_order_across_the_wrap()
    {
        var ring = new ExemplarRing(4);
        for (var i = 1; i <= 6; i++) ring.Append(i % 2 == 0 ? A : B, Ex(i));
        Assert.Equal([3L, 4, 5, 6], ring.EntriesOldestFirst().Select(e => e.Exemplar.TimestampMs));
        Assert.Equal([B, A, B, A], ring.EntriesOldestFirst().Select(e => e.Series));
        Assert.Equal(3, ring.OldestEntryTimestampMs);
    }

    [Fact]
    public void EntriesOldestFirst_throws_when_the_ring_changes_during_enumeration()
    {
        var ring = new ExemplarRing(4);
        ring.Append(A, Ex(1));
        ring.Append(A, Ex(2));
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var _ in ring.EntriesOldestFirst()) ring.Append(B, Ex(5));
        });
    }

    [Fact]
    public void Validate_predicts_append_without_changing_anything()
    {
        var ring = new ExemplarRing(3);
        ring.Append(A, Ex(10, 1));
        var candidates = new[] { Ex(10, 1), Ex(9), Ex(11), Ex(12, trace: new string('x', 130)) };
        foreach (var e in candidates)
        {
            var before = Dump(ring.EntriesOldestFirst());
            var predicted = ring.Validate(A, e);
            Assert.Equal(before, Dump(ring.EntriesOldestFirst()));
            Assert.Equal(0, ring.OutOfOrderTotal + ring.DuplicateTotal + ring.TooLongTotal);
            var copy = new ExemplarRing(3);
            foreach (var (s, x) in ring.EntriesOldestFirst()) copy.Append(s, x);
            Assert.Equal(predicted, copy.Append(A, e));
        }
        Assert.Equal(AppendOutcome.Appended, ring.Validate(B, Ex(1)));
        Assert.Equal(1, ring.SeriesCount);
    }

    private static void AssertSameRing(ExemplarRing expected, ExemplarRing actual)
    {
        Assert.Equal(expected.Capacity, actual.Capacity);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.SeriesCount, actual.SeriesCount);
        Assert.Equal(expected.OldestEntryTimestampMs, actual.OldestEntryTimestampMs);
        Assert.Equal(Dump(expected.EntriesOldestFirst()), Dump(actual.EntriesOldestFirst()));
        Assert.Equal(Dump(expected.Select(long.MinValue, long.MaxValue, MatchAll)),
            Dump(actual.Select(long.MinValue, long.MaxValue, MatchAll)));
    }
}
