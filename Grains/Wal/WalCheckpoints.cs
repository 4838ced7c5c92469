using System.Collections.Concurrent;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// Which grains have records in this silo's WAL that their stored state does not hold yet, and from which position:
/// everything before the smallest such position may be deleted.
/// </summary>
/// <remarks>
/// A grain calls <see cref="Logging"/> before each append (with the log's next position, which its record cannot come
/// before) and <see cref="Persisted"/> after its state was written; a grain runs one turn at a time, so nothing of its
/// own is logged between the snapshot and that call. Reading the log's next position before the table
/// (<see cref="SafeTruncationPoint"/>) closes the race with a grain that starts logging meanwhile: its record lies at
/// or after the position read.
/// </remarks>
public sealed class WalCheckpoints
{
    private readonly ConcurrentDictionary<string, long> _firstUnpersisted = new(StringComparer.Ordinal);

    /// <summary>Grains with records not yet covered by their stored state.</summary>
    public int DirtyOwners => _firstUnpersisted.Count;

    public void Logging(string owner, long nextLsn) => _firstUnpersisted.TryAdd(owner, nextLsn);

    public void Persisted(string owner) => _firstUnpersisted.TryRemove(owner, out _);

    /// <summary>Every record before the returned position is held by its grain's stored state.</summary>
    public long SafeTruncationPoint(Func<long> nextLsn)
    {
        var bound = nextLsn();
        foreach (var (_, lsn) in _firstUnpersisted) bound = Math.Min(bound, lsn);
        return bound;
    }

    /// <summary>Owners whose unpersisted records start before <paramref name="lsn"/>, oldest first.</summary>
    public IReadOnlyList<string> OwnersBefore(long lsn) =>
        _firstUnpersisted.Where(e => e.Value < lsn).OrderBy(e => e.Value).Select(e => e.Key).ToList();
}
