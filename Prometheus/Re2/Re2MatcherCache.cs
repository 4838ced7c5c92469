using System.Collections.Concurrent;

namespace OrleansExemplars.Prometheus.Re2;

/// <summary>
/// Compiled matchers by pattern, bounded: a query's matchers are compiled by the API host and again by every metric
/// grain they reach (a compiled regex does not travel with the matcher), and a <c>NonBacktracking</c> regex costs
/// tens of microseconds to build. Past the capacity the least recently used quarter is dropped.
/// Patterns that fail to compile are not kept.
/// </summary>
internal sealed class Re2MatcherCache(int capacity)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private long _clock;

    public int Count => _entries.Count;

    public Re2Matcher GetOrAdd(string pattern, Func<string, Re2Matcher> compile)
    {
        var now = Interlocked.Increment(ref _clock);
        if (_entries.TryGetValue(pattern, out var entry))
        {
            entry.LastUsed = now;
            return entry.Matcher;
        }
        entry = _entries.GetOrAdd(pattern, new Entry(compile(pattern)) { LastUsed = now });
        if (_entries.Count > capacity)
        {
            Evict();
        }
        return entry.Matcher;
    }

    private void Evict()
    {
        lock (_evicting)
        {
            if (_entries.Count <= capacity)
            {
                return;
            }
            var victims = _entries.OrderBy(p => p.Value.LastUsed).Take(_entries.Count - capacity * 3 / 4).ToList();
            foreach (var (pattern, _) in victims)
            {
                _entries.TryRemove(pattern, out _);
            }
        }
    }

    private sealed class Entry(Re2Matcher matcher)
    {
        public Re2Matcher Matcher { get; } = matcher;

        public long LastUsed
        {
            get => Volatile.Read(ref _lastUsed);
            set => Volatile.Write(ref _lastUsed, value);
        }

        private long _lastUsed;
    }
}
