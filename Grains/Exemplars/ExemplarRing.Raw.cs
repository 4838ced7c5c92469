using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// The ring's entries as stored, for the snapshot writer: persisting every dirty ring on each write-behind tick is the
/// silo's largest recurring cost, and rebuilding a <see cref="LabelSet"/> per exemplar and hashing series label sets
/// (what <see cref="EntriesOldestFirst"/> callers pay) was most of it.
/// </summary>
public sealed partial class ExemplarRing
{
    /// <summary>One stored exemplar: its series by slot, its labels in their stored form (<see cref="StoredLabels.WriteTo"/>).</summary>
    internal readonly record struct RawEntry(int SeriesSlot, StoredLabels Labels, double Value, long TimestampMs, bool HasTimestamp);

    /// <summary>The name of the single label compact entries stand for (null until the first one was stored).</summary>
    internal string? CompactName => _names.Single;

    /// <summary>The names of the two labels pair entries stand for (null until the first one was stored).</summary>
    internal (string First, string Second)? PairNames =>
        _names.PairFirst is null ? null : (_names.PairFirst, _names.PairSecond!);

    /// <summary>Upper bound (exclusive) of <see cref="RawEntry.SeriesSlot"/>.</summary>
    internal int SeriesSlotBound => _seriesHighWater;

    /// <summary>The label set of a series slot that holds entries.</summary>
    internal LabelSet SeriesLabelsAt(int slot) => _series[slot].Labels!;

    /// <summary>Calls <paramref name="visit"/> for every entry in <see cref="EntriesOldestFirst"/> order.</summary>
    internal void VisitOldestFirst<TVisitor>(ref TVisitor visit) where TVisitor : struct, IRawEntryVisitor
    {
        var start = OldestSlot;
        for (var k = 0; k < _count; k++)
        {
            var i = start + k;
            if (i >= _capacity) i -= _capacity;
            ref readonly var e = ref _buffer[i];
            visit.Visit(new RawEntry(e.Series, e.Labels, e.Value, e.TimestampMs, e.HasTimestamp));
        }
    }

    internal interface IRawEntryVisitor
    {
        void Visit(in RawEntry entry);
    }
}
