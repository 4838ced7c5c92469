using System.IO.Hashing;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Series whose labels passed validation recently, keyed by the bytes of their label fields as sent, so that
/// <see cref="RemoteWriteV1Reader"/> validates a series once and, when the same labels come again (the next scrape's
/// sample of the series, as Prometheus and most senders send), pays one hash and one byte comparison instead of the
/// per-label UTF-8 checks, name lookups, order and duplicate checks and name-scheme checks.
/// <para>
/// <b>What a hit means.</b> Only a series whose labels were valid under <see cref="SeriesLimits"/> L, already sorted
/// by name and carrying a metric name the checks accept is stored, with L. A lookup hits when the stored bytes are
/// equal to the request's (the hash only picks the slot: a collision can make a lookup miss, never a different
/// series hit) and the stored limits are equal to the request's (<see cref="SeriesLimits"/> is a record: compared by
/// value), so a series valid under one configuration never passes under another, stricter one. The limits also go
/// into the hash, so the same series read under two configurations keeps two entries. Validation depends on nothing
/// else than these bytes and limits, so a hit gives exactly the outcome the checks would.
/// </para>
/// <para>
/// <b>Bounds and threads.</b> A fixed array of <see cref="Capacity"/> slots (a power of two), one entry each, in
/// pairs: a hash picks a pair, a lookup compares both, and a new entry takes the pair's first slot, the entry there
/// moving to the second and the one in the second (the older) dropped. So the cache never holds more than
/// <see cref="Capacity"/> entries, and two series sharing a pair do not push each other out (with direct mapping, a
/// working set of a quarter of the capacity would find only ~78 % of its series, in pairs ~91 %; an eighth, 88 % and
/// 97 %). Entries are immutable and published by reference (<see cref="Volatile"/>), so readers on any number of
/// threads take no lock; writers racing on a pair may drop or repeat an entry, never tear one.
/// </para>
/// <para>
/// <b>Memory.</b> The slot array costs 8 bytes a slot (512 KiB for the default 65 536). A filled slot holds an entry of
/// about 64 bytes, its label bytes once (24 bytes of array header plus the label fields as sent, which are also the
/// forwarders' wire form when the sender framed them canonically, as Prometheus does; otherwise a second, re-framed
/// copy), and, once the series carried an exemplar, its <see cref="LabelSet"/> (about 60 bytes plus 16 a label plus
/// the value strings; names are shared). Measured with 6-label series of ~140 label bytes: 250–300 bytes an entry
/// without its label set, ~620 with it, so the default capacity full is ~19 MiB for series without exemplars and up to
/// ~40 MiB if every series had one.
/// </para>
/// </summary>
internal sealed class ValidatedSeriesCache
{
    public const int DefaultCapacity = 65_536;

    /// <summary>The cache of every reader that is not given one: shared by all threads and requests of the process.</summary>
    public static ValidatedSeriesCache Shared { get; } = new(DefaultCapacity);

    private readonly Entry?[] _slots;
    private readonly int _mask;
    private readonly long _seed = Random.Shared.NextInt64();
    private readonly ulong? _fixedHash;

    /// <param name="capacity">Slots, rounded up to a power of two (at least 1).</param>
    public ValidatedSeriesCache(int capacity) : this(capacity, fixedHash: null)
    {
    }

    /// <summary>A cache whose <see cref="Hash"/> is <paramref name="fixedHash"/> for every key: for tests of collisions.</summary>
    internal ValidatedSeriesCache(int capacity, ulong? fixedHash)
    {
        _fixedHash = fixedHash;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 30);
        _slots = new Entry?[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _mask = _slots.Length - 1;
    }

    public int Capacity => _slots.Length;

    /// <summary>Entries held now (counts the slots: for tests and diagnostics, not the hot path).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var e in _slots)
            {
                if (e is not null) count++;
            }
            return count;
        }
    }

    /// <summary>The hash of label bytes read under limits whose hash is <paramref name="limitsHash"/>.</summary>
    public ulong Hash(ReadOnlySpan<byte> labelBytes, int limitsHash) =>
        _fixedHash ?? XxHash3.HashToUInt64(labelBytes, _seed ^ limitsHash);

    /// <summary>The entry stored for exactly these label bytes under limits equal to <paramref name="limits"/>, or null.</summary>
    public Entry? Find(ReadOnlySpan<byte> labelBytes, ulong hash, SeriesLimits limits)
    {
        var i = Pair(hash);
        return Match(Volatile.Read(ref _slots[i]), labelBytes, hash, limits) ??
               (_slots.Length > 1 ? Match(Volatile.Read(ref _slots[i + 1]), labelBytes, hash, limits) : null);
    }

    private static Entry? Match(Entry? e, ReadOnlySpan<byte> labelBytes, ulong hash, SeriesLimits limits)
    {
        if (e is null || e.Hash != hash || !labelBytes.SequenceEqual(e.Key)) return null;
        return ReferenceEquals(e.Limits, limits) || e.Limits.Equals(limits) ? e : null;
    }

    /// <summary>
    /// Stores <paramref name="entry"/> in its pair of slots: in place of <paramref name="replacing"/> when that is
    /// still there, else first, the pair's other entry moving to second place and the one there (the older) dropped.
    /// </summary>
    public void Store(Entry entry, Entry? replacing = null)
    {
        var i = Pair(entry.Hash);
        if (_slots.Length == 1)
        {
            Volatile.Write(ref _slots[0], entry);
            return;
        }
        if (replacing is not null)
        {
            if (ReferenceEquals(Volatile.Read(ref _slots[i]), replacing))
            {
                Volatile.Write(ref _slots[i], entry);
                return;
            }
            if (ReferenceEquals(Volatile.Read(ref _slots[i + 1]), replacing))
            {
                Volatile.Write(ref _slots[i + 1], entry);
                return;
            }
        }
        // Racing writers may drop or repeat an entry here; a reader sees whole entries either way.
        if (Volatile.Read(ref _slots[i]) is { } first) Volatile.Write(ref _slots[i + 1], first);
        Volatile.Write(ref _slots[i], entry);
    }

    /// <summary>The first slot of the hash's pair.</summary>
    private int Pair(ulong hash) => (int)hash & _mask & ~1;

    /// <summary>
    /// A series validated under <see cref="Limits"/>: labels sorted, unique, within the limits, valid names and a
    /// metric name <see cref="MetricName"/>.
    /// </summary>
    public sealed class Entry(byte[] key, ulong hash, SeriesLimits limits, string metricName, byte[] wireLabels,
        LabelSet? labels)
    {
        /// <summary>The series' label fields as sent (every <c>TimeSeries.labels</c> field, tags and lengths included).</summary>
        public byte[] Key { get; } = key;

        public ulong Hash { get; } = hash;

        public SeriesLimits Limits { get; } = limits;

        public string MetricName { get; } = metricName;

        /// <summary>
        /// The labels in <see cref="LabelWireFormat"/> (often <see cref="Key"/> itself); shared by every
        /// <see cref="ForwardSeries"/> built from a hit, which only read it.
        /// </summary>
        public byte[] WireLabels { get; } = wireLabels;

        /// <summary>The label set, once a request needed it (a series with exemplars); null before.</summary>
        public LabelSet? Labels { get; } = labels;

        public Entry WithLabels(LabelSet labels) => new(Key, Hash, Limits, MetricName, WireLabels, labels);
    }
}
