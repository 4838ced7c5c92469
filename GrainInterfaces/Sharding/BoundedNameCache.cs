using System.Collections.Concurrent;

namespace OrleansExemplars.GrainInterfaces.Sharding;

/// <summary>
/// A per-metric-name answer computed once and reused, holding at most <c>capacity</c> names: metric names come from
/// whoever writes, so an unbounded cache would grow with every distinct name ever sent. When full it starts over
/// (a size cap rather than LRU: a name dropped costs one recomputation, and reads stay lock-free).
/// </summary>
public sealed class BoundedNameCache<TValue>(int capacity)
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _count;

    public int Capacity => capacity;

    /// <summary>Names held now; never more than <see cref="Capacity"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    public TValue GetOrAdd<TState>(string name, Func<string, TState, TValue> compute, TState state)
    {
        if (_entries.TryGetValue(name, out var value)) return value;
        value = compute(name, state);
        lock (_gate)
        {
            if (_count >= capacity)
            {
                _entries.Clear();
                _count = 0;
            }
            if (_entries.TryAdd(name, value)) _count++;
        }
        return value;
    }
}
