using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Catalog;

/// <summary>
/// A metric grain's side of the catalog's label index: which label names and values of its series the catalog has
/// been told, and what it has not been told yet. Values per name are capped: past <see cref="MaxValuesPerName"/> the
/// name is reported as taking any value, so a high-cardinality label (<c>instance</c>, <c>pod</c>) costs a few calls
/// once, not one per new series.
/// </summary>
public sealed class LabelValueTracker
{
    public const int MaxValuesPerName = 64;

    private readonly Dictionary<string, HashSet<string>?> _known = new(StringComparer.Ordinal);
    private Dictionary<string, List<string>?>? _pending;

    /// <summary>Notes a series the ring holds; true when it carries a name or value the catalog was not told.</summary>
    public bool Observe(LabelSet series)
    {
        var added = false;
        foreach (var label in series.AsSpan())
        {
            if (label.Name == LabelSet.MetricName) continue;
            if (!_known.TryGetValue(label.Name, out var values))
            {
                _known[label.Name] = values = new HashSet<string>(StringComparer.Ordinal);
            }
            if (values is null || values.Contains(label.Value)) continue;
            _pending ??= new Dictionary<string, List<string>?>(StringComparer.Ordinal);
            if (values.Count == MaxValuesPerName)
            {
                _known[label.Name] = null;
                _pending[label.Name] = null;
            }
            else
            {
                values.Add(label.Value);
                if (!_pending.TryGetValue(label.Name, out var list)) _pending[label.Name] = list = [];
                list?.Add(label.Value);
            }
            added = true;
        }
        return added;
    }

    public bool HasPending => _pending is not null;

    /// <summary>What the catalog has not been told since the last <see cref="TakePending"/> or <see cref="Complete"/>.</summary>
    public LabelValues TakePending()
    {
        var pending = _pending ?? [];
        _pending = null;
        return new LabelValues(pending.ToDictionary(p => p.Key, p => p.Value?.ToArray(), StringComparer.Ordinal));
    }

    /// <summary>Everything observed: the report that replaces what the catalog knew.</summary>
    public LabelValues Complete()
    {
        _pending = null;
        return new LabelValues(_known.ToDictionary(p => p.Key, p => p.Value?.ToArray(), StringComparer.Ordinal));
    }
}
