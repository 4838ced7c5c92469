using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>Replaying logged exemplars into a ring restored from an older or newer snapshot.</summary>
public class ExemplarRingMergeTests
{
    private static readonly LabelSet A = Series("a");
    private static readonly LabelSet B = Series("b");

    private static SeriesExemplars[] Batch(LabelSet series, params long[] timestamps) =>
        [new SeriesExemplars(series, timestamps.Select(ts => Ex(ts, ts, "t" + ts)).ToArray())];

    private static ExemplarRing Ring(int capacity, params (LabelSet Series, long Ts)[] entries)
    {
        var ring = new ExemplarRing(capacity);
        foreach (var (s, ts) in entries) Assert.Equal(AppendOutcome.Appended, ring.Append(s, Ex(ts, ts, "t" + ts)));
        return ring;
    }

    [Fact]
    public void Exemplars_already_held_are_skipped_and_the_ring_is_unchanged()
    {
        var ring = Ring(10, (A, 1), (A, 2), (B, 3));
        var before = Dump(ring.EntriesOldestFirst());
        var (merged, added) = ExemplarRingMerge.Merge(ring, Batch(A, 1, 2).Concat(Batch(B, 3)));
        Assert.Equal(0, added);
        Assert.Same(ring, merged);
        Assert.Equal(before, Dump(merged.EntriesOldestFirst()));
    }

    [Fact]
    public void Newer_exemplars_are_appended_as_ingest_would()
    {
        var ring = Ring(10, (A, 1));
        var (merged, added) = ExemplarRingMerge.Merge(ring, Batch(A, 1, 2, 3));
        Assert.Equal(2, added);
        Assert.Equal("a:1,2,3", Shape(merged));
    }

    [Fact]
    public void Missing_older_exemplars_are_restored_in_timestamp_order()
    {
        // Ingest after the restart stored 5 and 6 before the log with 2..4 was replayed.
        var ring = Ring(10, (A, 1), (A, 5), (A, 6));
        var (merged, added) = ExemplarRingMerge.Merge(ring, Batch(A, 2, 3, 4));
        Assert.Equal(3, added);
        Assert.Equal("a:1,2,3,4,5,6", Shape(merged));
        // Replaying again changes nothing.
        var (again, addedAgain) = ExemplarRingMerge.Merge(merged, Batch(A, 2, 3, 4));
        Assert.Equal(0, addedAgain);
        Assert.Equal("a:1,2,3,4,5,6", Shape(again));
    }

    [Fact]
    public void An_exemplar_evicted_before_the_snapshot_is_not_resurrected()
    {
        // Capacity 3: 1 and 2 of series a were evicted by b's newer exemplars before the ring was persisted.
        var ring = Ring(3, (A, 1), (A, 2), (B, 3), (B, 4), (B, 5));
        Assert.Equal("b:3,4,5", Shape(ring));
        var (merged, _) = ExemplarRingMerge.Merge(ring, Batch(A, 1, 2));
        Assert.Equal("b:3,4,5", Shape(merged));
    }

    [Fact]
    public void A_disabled_ring_takes_nothing()
    {
        var (merged, added) = ExemplarRingMerge.Merge(new ExemplarRing(0), Batch(A, 1));
        Assert.Equal(0, added);
        Assert.Equal(0, merged.Count);
    }
}
