using System.IO.Hashing;
using System.Text;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>
/// Exemplars of native histograms: one per bucket, all with the scrape's timestamp. Prometheus 3 (tsdb/exemplar.go,
/// validateExemplar) takes an exemplar whose timestamp equals its series' newest when its value is greater, or equal with
/// a labels hash not smaller; older is out of order. The ring applies that to native-histogram series and keeps 2.42's
/// strict rule for float series.
/// </summary>
public sealed class ExemplarRingNativeHistogramTests
{
    private const ExemplarOrder Native = ExemplarOrder.SameTimestampByValue;

    [Fact]
    public void Float_series_keep_the_strict_rule_of_Prometheus_2_42()
    {
        var ring = new ExemplarRing(10);
        Assert.Equal(AppendOutcome.Appended, ring.Append(Series("a"), Ex(100, 1, "t1")));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(Series("a"), Ex(100, 2, "t2")));
        Assert.Equal(1, ring.Count);
    }

    [Fact]
    public void A_native_histogram_series_takes_one_exemplar_per_bucket_at_one_timestamp_in_value_order()
    {
        var ring = new ExemplarRing(10);
        var s = Series("nh");
        Assert.Equal(AppendOutcome.Appended, ring.Append(s, Ex(100, 0.1, "b1"), Native));
        Assert.Equal(AppendOutcome.Appended, ring.Append(s, Ex(100, 0.5, "b2"), Native));
        Assert.Equal(AppendOutcome.Appended, ring.Append(s, Ex(100, 2.5, "b3"), Native));
        // A resend of the newest is a duplicate; of an older one, or a smaller value at that timestamp, out of order
        // (Prometheus cannot tell those apart without walking the series, and neither does the ring).
        Assert.Equal(AppendOutcome.Duplicate, ring.Append(s, Ex(100, 2.5, "b3"), Native));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(s, Ex(100, 0.5, "b2"), Native));
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(s, Ex(99, 9, "b4"), Native));
        Assert.Equal(AppendOutcome.Appended, ring.Append(s, Ex(101, 0.1, "b1"), Native));
        Assert.Equal("0.1@100 0.5@100 2.5@100 0.1@101",
            string.Join(' ', ring.Select(0, 1000, MatchAll).Single().Exemplars.Select(e => $"{e.Value}@{e.TimestampMs}")));
        Assert.Equal(2, ring.OutOfOrderTotal);
        Assert.Equal(1, ring.DuplicateTotal);
        // The same series appended as a float series is held to the strict rule.
        Assert.Equal(AppendOutcome.OutOfOrder, ring.Append(s, Ex(101, 7, "x")));
    }

    [Fact]
    public void Equal_timestamps_and_values_are_ordered_by_the_Prometheus_labels_hash()
    {
        var s = Series("nh");
        var labels = Enumerable.Range(0, 40).Select(i => LabelSet.From(("trace_id", $"trace-{i}"))).ToArray();
        var low = labels.MinBy(ExemplarRing.PrometheusLabelsHash)!;
        var high = labels.MaxBy(ExemplarRing.PrometheusLabelsHash)!;

        var ascending = new ExemplarRing(10);
        Assert.Equal(AppendOutcome.Appended, ascending.Append(s, Ex(low, 100, 1), Native));
        Assert.Equal(AppendOutcome.Appended, ascending.Append(s, Ex(high, 100, 1), Native));

        var descending = new ExemplarRing(10);
        Assert.Equal(AppendOutcome.Appended, descending.Append(s, Ex(high, 100, 1), Native));
        Assert.Equal(AppendOutcome.OutOfOrder, descending.Append(s, Ex(low, 100, 1), Native));
    }

    [Fact]
    public void The_labels_hash_is_xxhash64_of_the_stringlabels_form()
    {
        // Prometheus 3.5+ (stringlabels): each name and value prefixed by its length, one byte below 255, else 255 and
        // three bytes little-endian.
        var longValue = new string('é', 200); // 400 UTF-8 bytes
        var labels = LabelSet.From(("span_id", "ab"), ("trace_id", longValue));
        byte[] expected =
        [
            7, .. "span_id"u8, 2, .. "ab"u8,
            8, .. "trace_id"u8, 255, 400 & 0xFF, 400 >> 8, 0, .. Encoding.UTF8.GetBytes(longValue),
        ];
        Assert.Equal(XxHash64.HashToUInt64(expected), ExemplarRing.PrometheusLabelsHash(labels));
        Assert.Equal(XxHash64.HashToUInt64([]), ExemplarRing.PrometheusLabelsHash(LabelSet.Empty));
    }

    [Fact]
    public void Exemplars_sharing_a_timestamp_survive_a_snapshot_and_a_replay()
    {
        var ring = new ExemplarRing(10);
        var s = Series("nh");
        foreach (var (v, trace) in new[] { (0.1, "b1"), (0.5, "b2"), (2.5, "b3") }) ring.Append(s, Ex(100, v, trace), Native);

        var restored = ExemplarRingSnapshot.Read(ExemplarRingSnapshot.Write(ring));
        Assert.Equal(Dump(ring.EntriesOldestFirst()), Dump(restored.EntriesOldestFirst()));

        // Replaying the log into an empty ring, and into one that holds them already, gives the same three.
        var log = new[] { new SeriesExemplars(s, [Ex(100, 0.1, "b1"), Ex(100, 0.5, "b2"), Ex(100, 2.5, "b3")]) };
        var (fromEmpty, added) = ExemplarRingMerge.Merge(new ExemplarRing(10), log);
        Assert.Equal(3, added);
        Assert.Equal(Dump(ring.EntriesOldestFirst()), Dump(fromEmpty.EntriesOldestFirst()));
        var (again, addedAgain) = ExemplarRingMerge.Merge(restored, log);
        Assert.Equal(0, addedAgain);
        Assert.Equal(3, again.Count);
    }
}
