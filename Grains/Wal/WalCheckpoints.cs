using System.Collections.Concurrent;

namespace OrleansExemplars.Grains.Wal;

/// <summary>One grain activation that logs to this silo's WAL (a new activation of the same grain is another owner).</summary>
public sealed class WalOwner
{
    internal WalOwner(long id, string metric, Guid activation)
    {
        Id = id;
        Metric = metric;
        Activation = activation;
    }

    internal long Id { get; }

    /// <summary>The grain key its records carry.</summary>
    public string Metric { get; }

    /// <summary>The activation, as its grain answers <c>PersistAsync</c> and <c>ReplayAsync</c>.</summary>
    public Guid Activation { get; }

    public override string ToString() => $"{Metric} (activation {Activation:N})";
}

/// <summary>Records of an owner that ended (or was found gone) without persisting them: [first, end) of this log.</summary>
public readonly record struct WalOrphanedRange(WalOwner Owner, long FirstLsn, long EndLsn);

/// <summary>
/// Which grain activations have records in this silo's WAL that their stored state does not hold yet, and from which
/// position: everything before the smallest such position may be deleted.
/// </summary>
/// <remarks>
/// Kept per activation, not per grain: an activation that could not write its ring when it ended (storage down) leaves
/// records no snapshot holds, and the grain's next activation — loaded from the older snapshot, here or on another
/// silo — persisting says nothing about them. Such an owner is <see cref="Ended"/>: its records stay until they were
/// replayed into the grain's live activation and that one persisted (<see cref="Rehomed"/>).
/// <para>
/// An activation calls <see cref="Logging"/> before each append (with the log's next position, which its record cannot
/// come before) and <see cref="Persisted"/> after its state was written; it runs one turn at a time, so nothing of its
/// own is logged between the snapshot and that call. Reading the log's next position before the table
/// (<see cref="SafeTruncationPoint"/>) closes the race with an owner that starts logging meanwhile: its record lies at
/// or after the position read.
/// </para>
/// </remarks>
public sealed class WalCheckpoints
{
    private readonly ConcurrentDictionary<long, Entry> _unpersisted = new();
    private long _lastId;

    /// <summary>Owners with records not yet covered by their stored state (ended ones included).</summary>
    public int DirtyOwners => _unpersisted.Count;

    public WalOwner Owner(string metric, Guid activation) => new(Interlocked.Increment(ref _lastId), metric, activation);

    public void Logging(WalOwner owner, long nextLsn, DateTime now)
    {
        // An owner taken for gone that logs again is alive after all (a duplicate activation): it pins its records again.
        if (!_unpersisted.TryAdd(owner.Id, new Entry(owner, nextLsn, now)) && _unpersisted.TryGetValue(owner.Id, out var entry)) entry.Revive();
    }

    public void Persisted(WalOwner owner) => _unpersisted.TryRemove(owner.Id, out _);

    /// <summary>
    /// The owner is gone without having persisted (if it had, this is a no-op): its records, all before
    /// <paramref name="endLsn"/>, wait to be replayed into the grain's live activation.
    /// </summary>
    /// <returns>Whether it had unpersisted records.</returns>
    public bool Ended(WalOwner owner, long endLsn)
    {
        if (!_unpersisted.TryGetValue(owner.Id, out var entry)) return false;
        entry.End(endLsn);
        return true;
    }

    /// <summary>Ranges of owners that ended without persisting, oldest first.</summary>
    public IReadOnlyList<WalOrphanedRange> Orphaned() => _unpersisted.Values.Where(e => e.EndLsn >= 0)
        .OrderBy(e => e.FirstLsn).Select(e => new WalOrphanedRange(e.Owner, e.FirstLsn, e.EndLsn)).ToList();

    /// <summary>
    /// The range's records are in the stored state of the grain's live activation now; the owner is forgotten unless
    /// it logged again meanwhile (then it stays, pinning from its first record as before).
    /// </summary>
    public void Rehomed(WalOrphanedRange range)
    {
        if (_unpersisted.TryGetValue(range.Owner.Id, out var entry) && entry.EndLsn == range.EndLsn)
        {
            ((ICollection<KeyValuePair<long, Entry>>)_unpersisted).Remove(new KeyValuePair<long, Entry>(range.Owner.Id, entry));
        }
    }

    /// <summary>Every record before the returned position is held by its grain's stored state.</summary>
    public long SafeTruncationPoint(Func<long> nextLsn)
    {
        var bound = nextLsn();
        foreach (var (_, entry) in _unpersisted) bound = Math.Min(bound, entry.FirstLsn);
        return bound;
    }

    /// <summary>Live owners whose unpersisted records start before <paramref name="lsn"/>, oldest first.</summary>
    public IReadOnlyList<WalOwner> OwnersBefore(long lsn) => Live().Where(e => e.FirstLsn < lsn).Select(e => e.Owner).ToList();

    /// <summary>
    /// Live owners unpersisted since before <paramref name="since"/>, oldest first: a healthy activation writes its ring
    /// every persist interval, so one this old has failed to, or is gone without having said so.
    /// </summary>
    public IReadOnlyList<WalOwner> LiveSince(DateTime since) => Live().Where(e => e.LoggedSince < since).Select(e => e.Owner).ToList();

    private IEnumerable<Entry> Live() => _unpersisted.Values.Where(e => e.EndLsn < 0).OrderBy(e => e.FirstLsn);

    private sealed class Entry(WalOwner owner, long firstLsn, DateTime loggedSince)
    {
        private long _endLsn = -1;

        public WalOwner Owner { get; } = owner;
        public long FirstLsn { get; } = firstLsn;
        public DateTime LoggedSince { get; } = loggedSince;

        /// <summary>-1 while the owner lives.</summary>
        public long EndLsn => Interlocked.Read(ref _endLsn);

        public void End(long endLsn) => Interlocked.CompareExchange(ref _endLsn, endLsn, -1);

        public void Revive() => Interlocked.Exchange(ref _endLsn, -1);
    }
}
