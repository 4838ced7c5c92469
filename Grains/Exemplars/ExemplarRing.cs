using System.Runtime.InteropServices;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// Exemplar storage with the semantics of Prometheus 2.42's <c>CircularExemplarStorage</c> (tsdb/exemplar.go): one
/// circular buffer shared by all series of the ring, the oldest entry overwritten when full, and per series a linked
/// list threaded through the buffer from its oldest to its newest entry.
/// </summary>
/// <remarks>
/// Not thread-safe: a grain owns its ring and Orleans runs one turn at a time.
/// <para>
/// Layout differs from Prometheus where it costs memory or allocations there: entries are structs in one array rather
/// than one heap object each, series are slots in an array (freed slots reused) found through a dictionary, and the
/// buffer grows on demand up to <see cref="Capacity"/> instead of being allocated up front, because this project has
/// one ring per metric name and most metrics never fill theirs. Growth is invisible to the semantics: until the ring is
/// full, entries occupy slots <c>[0, Count)</c> in append order, exactly as in Prometheus' pre-allocated buffer.
/// </para>
/// <para>
/// Exemplars nearly always carry exactly one label, and the same name every time (<c>trace_id</c>), whose value is
/// nearly always a W3C trace id: 32 lowercase hex digits. For those the ring keeps the name once and an entry keeps
/// only the value, packed into 128 bits inside the entry when it is 32 or 16 lowercase hex digits
/// (<see cref="HexLabelValue"/>) and as its string otherwise (see <see cref="StoredLabels"/>). OpenTelemetry's
/// Prometheus exporters send two labels instead, <c>span_id</c> (16 hex digits) and <c>trace_id</c> (32): for a pair
/// like that the ring keeps both names once and an entry both values packed into 192 bits. The label set is rebuilt,
/// with the exact original value strings, when the exemplar is read. A stored trace id, or span id and trace id, then
/// costs the 56-byte entry and nothing else, where a trace id cost a 32-byte entry plus an 88-byte string before, and
/// a LabelSet and its array (72 bytes more) before that, and the pair cost a 48-byte entry, a LabelSet, its array and
/// two strings (about 280 bytes).
/// </para>
/// </remarks>
public sealed partial class ExemplarRing
{
    /// <summary>Prometheus' <c>exemplar.ExemplarMaxLabelSetLength</c> (from OpenMetrics), counted in runes.</summary>
    public const int MaxLabelSetRunes = 128;

    /// <summary>
    /// Upper bound of <see cref="Capacity"/>: a series slot and the has-timestamp flag share one int in each entry.
    /// </summary>
    public const int MaxCapacity = 1 << 30;

    private const int None = -1;
    private const int InitialBufferLength = 16;
    private const int InitialSeriesLength = 4;

    private int _capacity;
    private Entry[] _buffer;
    private int _nextIndex;
    private int _count;

    private Dictionary<LabelSet, int> _index;
    private SeriesSlot[] _series;
    private int _seriesHighWater;
    private int _freeSeries;

    // Single: the name of the first single-label exemplar appended; entries with exactly that one label store only its
    // value. PairFirst/PairSecond: the names of the first two-label exemplar appended whose values both packed; entries
    // with exactly those two labels, both packing, store only the packed values. Each set once, never changed: the
    // stored forms of the entries depend on them.
    private CompactNames _names;

    // Lets EntriesOldestFirst fail loudly instead of yielding a mix of two states when the ring changes under it.
    private int _version;

    public ExemplarRing(int capacity)
    {
        CheckCapacity(capacity);
        _capacity = capacity;
        _buffer = capacity == 0 ? [] : new Entry[Math.Min(capacity, InitialBufferLength)];
        _index = new Dictionary<LabelSet, int>();
        _series = [];
        _freeSeries = None;
    }

    /// <summary>Maximum number of exemplars kept; 0 disables the ring (every append is <see cref="AppendOutcome.Disabled"/>).</summary>
    public int Capacity => _capacity;

    /// <summary>Exemplars currently stored (<c>prometheus_tsdb_exemplar_exemplars_in_storage</c>).</summary>
    public int Count => _count;

    /// <summary>Series with at least one stored exemplar (<c>prometheus_tsdb_exemplar_series_with_exemplars_in_storage</c>).</summary>
    public int SeriesCount => _index.Count;

    /// <summary>Exemplars stored by <see cref="Append"/> since construction (Resize migrations not included).</summary>
    public long AppendedTotal { get; private set; }

    /// <summary>Appends rejected as <see cref="AppendOutcome.OutOfOrder"/>; <see cref="Validate"/> does not count.</summary>
    public long OutOfOrderTotal { get; private set; }

    /// <summary>Appends ignored as <see cref="AppendOutcome.Duplicate"/>; <see cref="Validate"/> does not count.</summary>
    public long DuplicateTotal { get; private set; }

    /// <summary>Appends rejected as <see cref="AppendOutcome.LabelSetTooLong"/>; <see cref="Validate"/> does not count.</summary>
    public long TooLongTotal { get; private set; }

    /// <summary>
    /// Timestamp of the entry that the next append overwrites (or of the first entry while the ring is not full): what
    /// Prometheus reports as <c>prometheus_tsdb_exemplar_last_exemplars_timestamp_seconds</c>. Null when empty.
    /// </summary>
    public long? OldestEntryTimestampMs => _count == 0 ? null : _buffer[OldestSlot].TimestampMs;

    private bool IsFull => _count == _capacity;

    private int OldestSlot => IsFull ? _nextIndex : 0;

    /// <summary>
    /// What <see cref="Append"/> would do with <paramref name="exemplar"/> now, without storing or counting anything
    /// (Prometheus' <c>ValidateExemplar</c>).
    /// </summary>
    public AppendOutcome Validate(LabelSet series, in Exemplar exemplar, ExemplarOrder order = ExemplarOrder.StrictTimestamps)
    {
        if (_capacity == 0) return AppendOutcome.Disabled;
        var labels = WithoutEmpty(exemplar.Labels);
        if (!ReferenceEquals(labels, exemplar.Labels)) return Validate(series, exemplar with { Labels = labels }, order);
        if (!LabelSetFits(exemplar.Labels)) return AppendOutcome.LabelSetTooLong;
        return _index.TryGetValue(series, out var s)
            ? CheckAgainstNewest(s, Store(exemplar.Labels), exemplar, order)
            : AppendOutcome.Appended;
    }

    /// <summary>
    /// Stores <paramref name="exemplar"/> for <paramref name="series"/> unless rejected, overwriting the oldest entry of
    /// the ring when full (Prometheus' <c>AddExemplar</c>; there a duplicate returns no error, here it is reported).
    /// </summary>
    /// <remarks>
    /// Exemplar labels with an empty value are dropped first, as Prometheus' head appender does before validating
    /// (<c>e.Labels.WithoutEmpty()</c>), so they neither count towards the length limit nor defeat duplicate detection.
    /// A null label set is taken as empty. <paramref name="order"/> is the rule for an exemplar no newer than its series'
    /// newest (see <see cref="ExemplarOrder"/>).
    /// </remarks>
    public AppendOutcome Append(LabelSet series, in Exemplar exemplar, ExemplarOrder order = ExemplarOrder.StrictTimestamps)
    {
        if (_capacity == 0) return AppendOutcome.Disabled;
        var labels = WithoutEmpty(exemplar.Labels);
        if (!ReferenceEquals(labels, exemplar.Labels)) return Append(series, exemplar with { Labels = labels }, order);
        if (!LabelSetFits(exemplar.Labels))
        {
            TooLongTotal++;
            return AppendOutcome.LabelSetTooLong;
        }

        var stored = Store(exemplar.Labels);
        // One hash lookup serves both validation and insertion. A new series needs no validation beyond the label
        // length, so a key is only added when the append is going to happen.
        ref var indexValue = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, series, out var exists);
        int s;
        if (exists)
        {
            s = indexValue;
            var outcome = CheckAgainstNewest(s, stored, exemplar, order);
            if (outcome != AppendOutcome.Appended)
            {
                if (outcome == AppendOutcome.Duplicate) DuplicateTotal++;
                else OutOfOrderTotal++;
                return outcome;
            }
        }
        else
        {
            s = AllocateSeries(series);
            indexValue = s;
        }
        // indexValue must not be used past this point: evicting below may remove another key from _index.

        if (_names.Single is null && exemplar.Labels.Count == 1) _names = _names with { Single = exemplar.Labels[0].Name };
        if (_names.PairFirst is null && stored.IsPair)
        {
            _names = _names with { PairFirst = exemplar.Labels[0].Name, PairSecond = exemplar.Labels[1].Name };
        }
        Place(s, exists, stored, exemplar.Value, exemplar.TimestampMs, exemplar.HasTimestamp);
        AppendedTotal++;
        return AppendOutcome.Appended;
    }

    /// <summary>
    /// Prometheus' <c>Resize</c>: a new buffer of <paramref name="capacity"/> holding the newest
    /// min(<see cref="Count"/>, <paramref name="capacity"/>) exemplars, oldest first, without re-validating them.
    /// Counters are kept. Returns the number of exemplars migrated (0 if the capacity is unchanged).
    /// </summary>
    public int Resize(int capacity)
    {
        CheckCapacity(capacity);
        if (capacity == _capacity) return 0;
        return Rebuild(capacity, Math.Min(_count, capacity));
    }

    /// <summary>A new buffer of <paramref name="capacity"/> with the newest <paramref name="keep"/> entries, oldest first.</summary>
    private int Rebuild(int capacity, int keep)
    {
        var oldBuffer = _buffer;
        var oldSeries = _series;
        var oldCapacity = _capacity;
        var oldStart = OldestSlot;
        var skip = _count - keep;

        _capacity = capacity;
        _buffer = capacity == 0 ? [] : new Entry[Math.Max(keep, Math.Min(capacity, InitialBufferLength))];
        _nextIndex = 0;
        _count = 0;
        _index = new Dictionary<LabelSet, int>();
        _series = [];
        _seriesHighWater = 0;
        _freeSeries = None;
        _version++;

        for (var k = skip; k < skip + keep; k++)
        {
            var i = oldStart + k;
            if (i >= oldCapacity) i -= oldCapacity;
            ref readonly var e = ref oldBuffer[i];
            var labels = oldSeries[e.Series].Labels!;
            ref var indexValue = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, labels, out var exists);
            if (!exists) indexValue = AllocateSeries(labels);
            Place(indexValue, exists, e.Labels, e.Value, e.TimestampMs, e.HasTimestamp);
        }
        return keep;
    }

    /// <summary>
    /// Writes at the next index and links the entry as <paramref name="s"/>'s newest, evicting the entry there if the
    /// ring is full. Prometheus' order matters when the evicted entry is <paramref name="s"/>'s only one: linking first
    /// makes it point at its own slot, so eviction moves the series' oldest to that slot instead of dropping the series.
    /// </summary>
    private void Place(int s, bool seriesHasEntries, in StoredLabels labels, double value, long timestampMs, bool hasTimestamp)
    {
        if (seriesHasEntries)
        {
            _buffer[_series[s].Newest].Next = _nextIndex;
        }
        else
        {
            _series[s].Oldest = _nextIndex;
        }

        if (IsFull)
        {
            Evict(_nextIndex);
        }
        else
        {
            if (_nextIndex == _buffer.Length) GrowBuffer();
            _count++;
        }

        _buffer[_nextIndex] = new Entry(labels, value, timestampMs, s, hasTimestamp);
        _series[s].Newest = _nextIndex;
        if (++_nextIndex == _capacity) _nextIndex = 0;
        _version++;
    }

    private void Evict(int i)
    {
        ref readonly var victim = ref _buffer[i];
        var vs = victim.Series;
        if (victim.Next == None)
        {
            _index.Remove(_series[vs].Labels!);
            FreeSeries(vs);
        }
        else
        {
            _series[vs].Oldest = victim.Next;
        }
    }

    /// <param name="stored">The form of <paramref name="exemplar"/>'s labels (<see cref="Store"/>).</param>
    private AppendOutcome CheckAgainstNewest(int s, in StoredLabels stored, in Exemplar exemplar, ExemplarOrder order)
    {
        ref readonly var newest = ref _buffer[_series[s].Newest];
        // Once the labels are known equal, the incoming set can stand in for the stored one, so the rest of
        // IsDuplicateOf runs without rebuilding the stored label set.
        var sameLabels = newest.Labels.SameAs(stored);
        if (sameLabels &&
            new Exemplar(exemplar.Labels, newest.Value, newest.TimestampMs, newest.HasTimestamp).IsDuplicateOf(exemplar))
        {
            return AppendOutcome.Duplicate;
        }
        if (exemplar.TimestampMs > newest.TimestampMs) return AppendOutcome.Appended;
        if (order == ExemplarOrder.StrictTimestamps || exemplar.TimestampMs < newest.TimestampMs) return AppendOutcome.OutOfOrder;
        // Prometheus 3's order for equal timestamps: by value, then by the labels' hash (a NaN compares as neither).
        if (exemplar.Value < newest.Value) return AppendOutcome.OutOfOrder;
        if (exemplar.Value == newest.Value &&
            PrometheusLabelsHash(exemplar.Labels) < PrometheusLabelsHash(newest.Labels.ToLabelSet(_names)))
        {
            return AppendOutcome.OutOfOrder;
        }
        return AppendOutcome.Appended;
    }

    /// <summary>
    /// What an entry stores for <paramref name="labels"/>. Before the ring has a compact name, a single label's name is
    /// the one it is about to get: stored entries then all have other label counts, so comparisons come out the same,
    /// and <see cref="Append"/> sets the name only once the exemplar is stored, as Validate never does. Likewise for
    /// pair names, which a two-label set gets only if both its values pack: every two-label entry stored before then
    /// did not pack under its own names, so it is a LabelSet both before and after, and unequal to any that packs.
    /// </summary>
    private StoredLabels Store(LabelSet labels)
    {
        var names = _names;
        if (names.Single is null && labels.Count == 1) names = names with { Single = labels[0].Name };
        if (names.PairFirst is null && labels.Count == 2) names = names with { PairFirst = labels[0].Name, PairSecond = labels[1].Name };
        return StoredLabels.Of(labels, names);
    }

    private Exemplar ToExemplar(in Entry e) =>
        new(e.Labels.ToLabelSet(_names), e.Value, e.TimestampMs, e.HasTimestamp);

    private int AllocateSeries(LabelSet labels)
    {
        int s;
        if (_freeSeries != None)
        {
            s = _freeSeries;
            _freeSeries = _series[s].Newest;
        }
        else
        {
            if (_seriesHighWater == _series.Length)
            {
                Array.Resize(ref _series, Math.Max(InitialSeriesLength, _series.Length * 2));
            }
            s = _seriesHighWater++;
        }
        _series[s] = new SeriesSlot { Labels = labels, Oldest = None, Newest = None };
        return s;
    }

    private void FreeSeries(int s)
    {
        // Free slots chain through Newest; a null Labels is what Select skips.
        _series[s] = new SeriesSlot { Labels = null, Oldest = None, Newest = _freeSeries };
        _freeSeries = s;
    }

    private void GrowBuffer()
    {
        var length = (int)Math.Min((long)_buffer.Length * 2, _capacity);
        Array.Resize(ref _buffer, Math.Max(length, 1));
    }

    private static void CheckCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
    }

    /// <summary>
    /// 56 bytes: the exemplar's fields inlined, its labels as a 32-byte <see cref="StoredLabels"/>, with the
    /// has-timestamp flag folded into the series slot so the struct needs no padding word.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    private struct Entry
    {
        /// <summary>The exemplar's labels, for most exemplars packed with no object at all.</summary>
        public StoredLabels Labels;
        public double Value;
        public long TimestampMs;
        /// <summary>Buffer index of the next newer entry of the same series, or <see cref="None"/>.</summary>
        public int Next;
        private readonly int _seriesAndFlag;

        public Entry(in StoredLabels labels, double value, long timestampMs, int series, bool hasTimestamp)
        {
            Labels = labels;
            Value = value;
            TimestampMs = timestampMs;
            Next = None;
            _seriesAndFlag = (series << 1) | (hasTimestamp ? 1 : 0);
        }

        public readonly int Series => _seriesAndFlag >>> 1;

        public readonly bool HasTimestamp => (_seriesAndFlag & 1) != 0;
    }

    private struct SeriesSlot
    {
        /// <summary>Null while the slot is on the free list.</summary>
        public LabelSet? Labels;
        public int Oldest;
        /// <summary>For a free slot: the next free slot, or <see cref="None"/>.</summary>
        public int Newest;
    }
}
