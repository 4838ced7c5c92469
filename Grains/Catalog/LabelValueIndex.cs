using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Catalog;

/// <summary>
/// The catalog shard's label index: per grain key, the label names and values its series carry
/// (<see cref="LabelValues"/>), to rule grains out of a query that names no metric. Only ever rules out what cannot
/// match: a grain it knows nothing of, or a label whose values passed the cap, may always match.
/// </summary>
public sealed class LabelValueIndex
{
    private readonly Dictionary<string, Dictionary<string, HashSet<string>?>> _grains = new(StringComparer.Ordinal);

    public int GrainCount => _grains.Count;

    public void Report(string grainKey, LabelValues values, bool complete)
    {
        if (!_grains.TryGetValue(grainKey, out var known))
        {
            // Additions to a grain whose whole report this catalog never had (it restarted since) would make a
            // partial picture, and a partial picture rules out grains that match: wait for the next complete one.
            if (!complete) return;
            _grains[grainKey] = known = new Dictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        }
        else if (complete)
        {
            known.Clear();
        }
        foreach (var (name, list) in values.Values)
        {
            if (list is null)
            {
                known[name] = null;
                continue;
            }
            if (!known.TryGetValue(name, out var set))
            {
                known[name] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set?.UnionWith(list);
        }
    }

    public void Forget(string grainKey) => _grains.Remove(grainKey);

    /// <summary>Whether grain <paramref name="grainKey"/> may hold a series matching every matcher but <c>__name__</c>.</summary>
    public bool MayMatch(string grainKey, IReadOnlyList<LabelMatcher> matchers)
    {
        if (!_grains.TryGetValue(grainKey, out var known)) return true;
        foreach (var m in matchers)
        {
            // A matcher that accepts "" also accepts a series without the label: nothing to rule out.
            if (m.Name == LabelSet.MetricName || m.MatchesEmpty) continue;
            if (!known.TryGetValue(m.Name, out var values)) return false; // no series carries the label
            if (values is not null && !values.Any(m.Matches)) return false;
        }
        return true;
    }
}
