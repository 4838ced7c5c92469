using System.Text;
using OrleansExemplars.Prometheus.Wire;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Strings for UTF-8 byte sequences that repeat (label names, metric names), kept per thread and shared across
/// requests so a name is decoded once, not once per series. Bounded: cleared when full.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int MaxEntries = 4096;
    private const int MaxKeyBytes = 256;

    [ThreadStatic] private static Utf8StringCache? t_cache;

    private Entry[] _entries = new Entry[256];
    private int _count;

    private struct Entry
    {
        public byte[]? Key;
        public string Value;
        public int Hash;
    }

    public static Utf8StringCache ForThread() => t_cache ??= new Utf8StringCache();

    /// <summary>The string of <paramref name="utf8"/>, which must be valid UTF-8.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxKeyBytes) return Encoding.UTF8.GetString(utf8);
        var hash = Hash(utf8);
        var mask = _entries.Length - 1;
        var i = hash & mask;
        while (true)
        {
            ref var e = ref _entries[i];
            if (e.Key is null) break;
            if (e.Hash == hash && utf8.SequenceEqual(e.Key)) return e.Value;
            i = (i + 1) & mask;
        }
        var value = Encoding.UTF8.GetString(utf8);
        if (_count >= MaxEntries)
        {
            Array.Clear(_entries);
            _count = 0;
            i = hash & mask;
        }
        else if ((_count + 1) * 2 > _entries.Length)
        {
            Grow();
            mask = _entries.Length - 1;
            i = hash & mask;
            while (_entries[i].Key is not null) i = (i + 1) & mask;
        }
        _entries[i] = new Entry { Key = utf8.ToArray(), Value = value, Hash = hash };
        _count++;
        return value;
    }

    private void Grow()
    {
        var old = _entries;
        _entries = new Entry[old.Length * 2];
        var mask = _entries.Length - 1;
        foreach (var e in old)
        {
            if (e.Key is null) continue;
            var i = e.Hash & mask;
            while (_entries[i].Key is not null) i = (i + 1) & mask;
            _entries[i] = e;
        }
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        // FNV-1a: names are short; this is cheaper than a general-purpose hash on them.
        return (int)(Fnv1a.Hash(utf8) & 0x7FFFFFFF);
    }
}
