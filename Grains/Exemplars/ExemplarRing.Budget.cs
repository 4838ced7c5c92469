using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// What the silo around the ring needs of it: its exemplar budget (<see cref="Budget.ExemplarBudget"/>) where its
/// oldest are and a cut; the catalog's label index its series.
/// </summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// Drops exemplars oldest first (in append order, the order the ring overwrites them) while their timestamp is before
    /// <paramref name="beforeMs"/>, at most <paramref name="max"/>: what a silo's exemplar budget takes back from the
    /// rings holding the oldest exemplars. The buffer shrinks to what is left. Returns the number dropped.
    /// </summary>
    public int DropOldest(long beforeMs, int max)
    {
        var drop = 0;
        for (var i = OldestSlot; drop < Math.Min(max, _count) && _buffer[i].TimestampMs < beforeMs;)
        {
            drop++;
            if (++i == _capacity) i = 0;
        }
        if (drop > 0) Rebuild(_capacity, _count - drop);
        return drop;
    }

    /// <summary>
    /// Timestamps of the entries at fractions 0, ¼, ½, ¾ and 1 of the ring in append order (oldest to newest), for a
    /// budget to estimate how many a cut at some time would drop; empty when the ring is.
    /// </summary>
    public long[] AppendOrderTimestamps()
    {
        if (_count == 0) return [];
        var points = new long[5];
        for (var q = 0; q < 5; q++)
        {
            var k = (int)((long)(_count - 1) * q / 4);
            var i = OldestSlot + k;
            if (i >= _capacity) i -= _capacity;
            points[q] = _buffer[i].TimestampMs;
        }
        return points;
    }

    /// <summary>The label sets of the series the ring holds, in no order.</summary>
    public IEnumerable<LabelSet> SeriesLabels => _index.Keys;
}
