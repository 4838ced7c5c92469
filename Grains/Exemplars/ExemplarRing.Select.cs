using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>Reading a ring: Prometheus' Select, and the entries in buffer order for persistence.</summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// Prometheus' <c>Select</c>: the exemplars with <paramref name="startMs"/> &lt;= timestamp &lt;= <paramref name="endMs"/>
    /// of every series matching at least one of <paramref name="matcherSets"/> (all matchers of a set must match; an
    /// absent label matches as ""), oldest first, series sorted by labels; series without such exemplars are left out.
    /// No matcher sets match nothing.
    /// </summary>
    public List<SeriesExemplars> Select(long startMs, long endMs, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets)
    {
        var matched = Match(startMs, endMs, matcherSets, out _);
        var result = new List<SeriesExemplars>(matched.Count);
        var buffer = _buffer;
        foreach (var (slot, first, count) in matched)
        {
            // Counted by the walk, so each result array is allocated once at its final size.
            var exemplars = new Exemplar[count];
            for (int i = first, k = 0; k < count; i = buffer[i].Next, k++)
            {
                exemplars[k] = ToExemplar(buffer[i]);
            }
            result.Add(new SeriesExemplars(_series[slot].Labels!, exemplars));
        }
        return result;
    }

    /// <summary>
    /// The one walk of <see cref="Select"/> and <see cref="SelectJson"/>: each series matching a set that has entries
    /// in the range, with its first such entry and how many there are, sorted by labels; <paramref name="exemplars"/>
    /// counts them all.
    /// </summary>
    private List<(int Slot, int First, int Count)> Match(long startMs, long endMs,
        IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, out int exemplars)
    {
        ArgumentNullException.ThrowIfNull(matcherSets);
        var matched = new List<(int Slot, int First, int Count)>();
        exemplars = 0;
        if (_count == 0 || matcherSets.Count == 0) return matched;

        var buffer = _buffer;
        for (var s = 0; s < _seriesHighWater; s++)
        {
            ref readonly var slot = ref _series[s];
            if (slot.Labels is null) continue;
            // Time first: it is two array reads, the matchers may run regexes.
            if (buffer[slot.Oldest].TimestampMs > endMs || buffer[slot.Newest].TimestampMs < startMs) continue;
            if (!MatchesAnySet(slot.Labels, matcherSets)) continue;

            // The walk stops at the first entry after endMs, as Prometheus' does: a series' timestamps strictly
            // increase along its list.
            var n = 0;
            var first = None;
            for (var i = slot.Oldest; i != None;)
            {
                ref readonly var e = ref buffer[i];
                if (e.TimestampMs > endMs) break;
                if (e.TimestampMs >= startMs)
                {
                    if (first == None) first = i;
                    n++;
                }
                i = e.Next;
            }
            if (n == 0) continue;
            matched.Add((s, first, n));
            exemplars += n;
        }
        // Slots hold distinct label sets, so the order is total.
        var series = _series;
        matched.Sort((a, b) => series[a.Slot].Labels!.CompareTo(series[b.Slot].Labels));
        return matched;
    }

    /// <summary>
    /// Every stored exemplar in buffer order starting at the oldest slot (Prometheus' <c>IterateExemplars</c>).
    /// Appending them in this order to an empty ring of the same capacity rebuilds a ring that behaves identically:
    /// same entries, same series lists, same eviction order. Throws if the ring changes during enumeration.
    /// </summary>
    public IEnumerable<(LabelSet Series, Exemplar Exemplar)> EntriesOldestFirst()
    {
        var version = _version;
        var start = OldestSlot;
        for (var k = 0; k < _count; k++)
        {
            if (version != _version) throw new InvalidOperationException("The exemplar ring changed during enumeration.");
            var i = start + k;
            if (i >= _capacity) i -= _capacity;
            var e = _buffer[i];
            yield return (_series[e.Series].Labels!, ToExemplar(e));
        }
    }

    private static bool MatchesAnySet(LabelSet labels, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets)
    {
        for (var i = 0; i < matcherSets.Count; i++)
        {
            var set = matcherSets[i];
            var all = true;
            for (var j = 0; j < set.Count; j++)
            {
                var m = set[j];
                if (!m.Matches(labels.Get(m.Name)))
                {
                    all = false;
                    break;
                }
            }
            if (all) return true;
        }
        return false;
    }
}
