using CsCheck;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;
using static OrleansExemplars.Tests.Exemplars.RingTestHelpers;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>
/// Random operation sequences run against <see cref="ExemplarRing"/> and against <see cref="ReferenceRing"/>, a
/// deliberately naive model of Prometheus 2.42's exemplar storage; every outcome and every query must agree.
/// </summary>
public class ExemplarRingPropertyTests
{
    private static readonly LabelSet[] SeriesPool =
    [
        Series("a"),
        Series("b"),
        Series("c", ("instance", "x")),
        Series("a", ("instance", "y")),
        LabelSet.From((LabelSet.MetricName, "m")),
    ];

    private static readonly string Grin = char.ConvertFromUtf32(0x1F600);

    // Few distinct label sets so that resends (duplicates) are frequent; the long ones straddle the 128-rune limit.
    private static readonly LabelSet[] ExemplarLabelPool =
    [
        LabelSet.From(("trace_id", "a")),
        LabelSet.From(("trace_id", "b")),
        LabelSet.Empty,
        LabelSet.From(("trace_id", "a"), ("span_id", "")), // becomes trace_id="a"
        LabelSet.From(("span_id", "a")), // same value, other name: not a duplicate of trace_id="a"
        LabelSet.From(("trace_id", new string('x', 120))), // 128 runes
        LabelSet.From(("trace_id", new string('x', 121))), // 129
        LabelSet.From(("trace_id", new string('x', 120)), ("pad", "")), // 128 once the empty label is dropped
        LabelSet.From(("t", string.Concat(Enumerable.Repeat(Grin, 127)))), // 128 runes, 255 UTF-16 units
        LabelSet.From(("t", string.Concat(Enumerable.Repeat(Grin, 128)))), // 129
        LabelSet.From(("trace_id", new string('é', 60)), ("span_id", new string('é', 53))), // 128
        LabelSet.From(("trace_id", new string('é', 60)), ("span_id", new string('é', 54))), // 129
        // Values the ring packs into the entry (32 or 16 lowercase hex digits) and near misses it keeps as strings.
        LabelSet.From(("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")),
        LabelSet.From(("trace_id", "4bf92f3577b34da6a3ce929d0e0e4737")),
        LabelSet.From(("trace_id", "4BF92F3577B34DA6A3CE929D0E0E4736")), // uppercase: a string, not equal to the first
        LabelSet.From(("trace_id", "00f067aa0ba902b7")),
        LabelSet.From(("trace_id", "000000000000000000f067aa0ba902b7")), // the same number as 32 digits
        LabelSet.From(("span_id", "00f067aa0ba902b7")), // same value, other name
        LabelSet.From(("trace_id", "4bf92f3577b34da6a3ce929d0e0e473")), // 31 digits
        // OpenTelemetry's pair, packed both into the entry, and near misses that stay label sets.
        LabelSet.From(("span_id", "00f067aa0ba902b7"), ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")),
        LabelSet.From(("span_id", "00f067aa0ba902b8"), ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")),
        LabelSet.From(("span_id", "00f067aa0ba902b7"), ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4737")),
        LabelSet.From(("span_id", "00F067AA0BA902B7"), ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")), // uppercase
        LabelSet.From(("span_id", "00f067aa0ba902b7"), ("trace_id", "00f067aa0ba902b7")), // 16 + 16 digits
        LabelSet.From(("span_id", "4bf92f3577b34da6a3ce929d0e0e4736"), ("trace_id", "00f067aa0ba902b7")), // 32 + 16
        LabelSet.From(("span_id", "4bf92f3577b34da6a3ce929d0e0e4736"), ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")), // 256 bits
        LabelSet.From(("a", "00f067aa0ba902b7"), ("b", "4bf92f3577b34da6a3ce929d0e0e4736")), // other names
    ];

    private const int FirstHexLabels = 12;

    private static readonly IReadOnlyList<IReadOnlyList<LabelMatcher>>[] MatcherPool =
    [
        Sets(),
        MatchAll,
        Sets([LabelMatcher.Equal(LabelSet.MetricName, "m")]),
        Sets([LabelMatcher.Equal("job", "a")]),
        Sets([LabelMatcher.Equal("job", "a")], [LabelMatcher.Equal("job", "b")]),
        Sets([LabelMatcher.Equal("job", "a"), M("instance", LabelMatchType.NotEqual, "")]),
        Sets([M("job", LabelMatchType.RegexMatch, "a|c")], [M("instance", LabelMatchType.RegexMatch, "x")]),
        Sets([M("job", LabelMatchType.NotEqual, "a"), LabelMatcher.Equal("instance", "")]),
        Sets([M("job", LabelMatchType.RegexNoMatch, "b.*")]),
        Sets([M("instance", LabelMatchType.RegexMatch, ".*")]),
        Sets([M("job", LabelMatchType.RegexMatch, "")]),
    ];

    private abstract record Op;

    private sealed record AppendOp(int Series, long Ts, bool HasTs, double Value, int Labels) : Op;

    private sealed record SelectOp(long Start, long End, int Matchers) : Op;

    private sealed record ResizeOp(int Capacity) : Op;

    private static readonly Gen<Op> GenAppend =
        Gen.Select(
            Gen.Int[0, SeriesPool.Length - 1],
            Gen.Long[0, 25],
            Gen.Int[0, 4].Select(i => i != 0),
            Gen.OneOf(1.0, 2.0, double.NaN, 0.0, -0.0),
            Gen.Frequency((6, Gen.Int[0, 4]), (4, Gen.Int[FirstHexLabels, ExemplarLabelPool.Length - 1]),
                (1, Gen.Int[0, ExemplarLabelPool.Length - 1])),
            (s, ts, hasTs, v, l) => (Op)new AppendOp(s, ts, hasTs, v, l));

    private static readonly Gen<Op> GenSelect =
        Gen.Select(Gen.Long[-1, 27], Gen.Long[-1, 27], Gen.Int[0, MatcherPool.Length - 1],
            (start, end, m) => (Op)new SelectOp(start, end, m));

    private static readonly Gen<Op> GenResize = Gen.Int[0, 20].Select(c => (Op)new ResizeOp(c));

    private static readonly Gen<(int Capacity, Op[] Ops)> GenScenario =
        Gen.Select(
            Gen.Int[1, 20],
            Gen.Frequency((12, GenAppend), (4, GenSelect), (1, GenResize)).Array[0, 150]);

    [Fact]
    public void Ring_agrees_with_the_reference_model_on_every_operation()
    {
        GenScenario.Sample((capacity, ops) =>
        {
            var ring = new ExemplarRing(capacity);
            var model = new ReferenceRing(capacity);
            foreach (var op in ops)
            {
                switch (op)
                {
                    case AppendOp a:
                        var series = SeriesPool[a.Series];
                        var exemplar = new Exemplar(ExemplarLabelPool[a.Labels], a.Value, a.Ts, a.HasTs);
                        var expected = model.Append(series, exemplar);
                        Assert.Equal(expected, ring.Validate(series, exemplar));
                        Assert.Equal(expected, ring.Append(series, exemplar));
                        break;
                    case SelectOp s:
                        Assert.Equal(Dump(model.Select(s.Start, s.End, MatcherPool[s.Matchers])),
                            Dump(ring.Select(s.Start, s.End, MatcherPool[s.Matchers])));
                        break;
                    case ResizeOp r:
                        Assert.Equal(model.Resize(r.Capacity), ring.Resize(r.Capacity));
                        break;
                }
                Assert.Equal(model.Entries.Count, ring.Count);
            }

            Assert.Equal(Dump(model.Entries), Dump(ring.EntriesOldestFirst()));
            Assert.Equal(model.Entries.Select(e => e.Series).Distinct().Count(), ring.SeriesCount);
            Assert.Equal(model.Capacity, ring.Capacity);
            Assert.Equal(model.Appended, ring.AppendedTotal);
            Assert.Equal(model.Duplicates, ring.DuplicateTotal);
            Assert.Equal(model.OutOfOrder, ring.OutOfOrderTotal);
            Assert.Equal(model.TooLong, ring.TooLongTotal);
            Assert.Equal(model.Entries.Count == 0 ? null : model.Entries[0].Exemplar.TimestampMs, ring.OldestEntryTimestampMs);
            foreach (var matchers in MatcherPool)
            {
                Assert.Equal(Dump(model.Select(long.MinValue, long.MaxValue, matchers)),
                    Dump(ring.Select(long.MinValue, long.MaxValue, matchers)));
            }

            // Replaying the entries rebuilds the same ring.
            var copy = new ExemplarRing(ring.Capacity);
            foreach (var (s, e) in ring.EntriesOldestFirst()) Assert.Equal(AppendOutcome.Appended, copy.Append(s, e));
            Assert.Equal(Dump(ring.EntriesOldestFirst()), Dump(copy.EntriesOldestFirst()));
            Assert.Equal(Dump(ring.Select(long.MinValue, long.MaxValue, MatchAll)),
                Dump(copy.Select(long.MinValue, long.MaxValue, MatchAll)));
        }, iter: 3000);
    }

    /// <summary>
    /// Prometheus' storage stated as plainly as possible: the accepted exemplars in order, the last
    /// <see cref="Capacity"/> of them kept; a series' newest kept exemplar decides duplicates and order.
    /// </summary>
    private sealed class ReferenceRing(int capacity)
    {
        public int Capacity { get; private set; } = capacity;
        public List<(LabelSet Series, Exemplar Exemplar)> Entries { get; } = [];
        public long Appended, Duplicates, OutOfOrder, TooLong;

        public AppendOutcome Append(LabelSet series, Exemplar e)
        {
            if (Capacity == 0) return AppendOutcome.Disabled;
            e = e with { Labels = LabelSet.From(e.Labels.AsSpan().ToArray().Where(l => l.Value != "")) };
            var runes = e.Labels.AsSpan().ToArray().Sum(l => l.Name.EnumerateRunes().Count() + l.Value.EnumerateRunes().Count());
            if (runes > 128)
            {
                TooLong++;
                return AppendOutcome.LabelSetTooLong;
            }

            var previous = Entries.Where(x => x.Series.Equals(series)).Select(x => (Exemplar?)x.Exemplar).LastOrDefault();
            if (previous is { } newest)
            {
                var sameTs = !(newest.HasTimestamp || e.HasTimestamp) || newest.TimestampMs == e.TimestampMs;
                if (newest.Labels.Equals(e.Labels) && sameTs && newest.Value == e.Value)
                {
                    Duplicates++;
                    return AppendOutcome.Duplicate;
                }
                if (e.TimestampMs <= newest.TimestampMs)
                {
                    OutOfOrder++;
                    return AppendOutcome.OutOfOrder;
                }
            }

            Entries.Add((series, e));
            if (Entries.Count > Capacity) Entries.RemoveAt(0);
            Appended++;
            return AppendOutcome.Appended;
        }

        public List<SeriesExemplars> Select(long start, long end, IReadOnlyList<IReadOnlyList<LabelMatcher>> sets) =>
            Entries.Select(x => x.Series).Distinct()
                .Where(s => sets.Any(set => set.All(m => m.Matches(s.Get(m.Name)))))
                .Select(s => new SeriesExemplars(s, Entries
                    .Where(x => x.Series.Equals(s) && x.Exemplar.TimestampMs >= start && x.Exemplar.TimestampMs <= end)
                    .Select(x => x.Exemplar).ToArray()))
                .Where(r => r.Exemplars.Length > 0)
                .OrderBy(r => r.Series)
                .ToList();

        public int Resize(int capacity)
        {
            if (capacity == Capacity) return 0;
            Capacity = capacity;
            if (Entries.Count > capacity) Entries.RemoveRange(0, Entries.Count - capacity);
            return Entries.Count;
        }
    }
}
