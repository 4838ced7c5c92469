using System.Text;

namespace OrleansExemplars.Prometheus.Model;

/// <summary>
/// An immutable label set sorted by name, compared and ordered as Prometheus' <c>labels.Labels</c>
/// (pairwise by name then value, a prefix sorts first), so results sort exactly as Prometheus sorts them.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class LabelSet : IEquatable<LabelSet>, IComparable<LabelSet>
{
    public const string MetricName = "__name__";

    public static readonly LabelSet Empty = new([], alreadySorted: true);

    [Id(0)] private readonly Label[] _labels;
    [NonSerialized] private int _hash;

    private LabelSet(Label[] labels, bool alreadySorted)
    {
        if (!alreadySorted && !IsSorted(labels))
        {
            Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        _labels = labels;
    }

    /// <summary>Takes ownership of <paramref name="labels"/> and sorts it by name.</summary>
    public static LabelSet FromOwnedArray(Label[] labels) => labels.Length == 0 ? Empty : new LabelSet(labels, false);

    public static LabelSet From(IEnumerable<Label> labels) => FromOwnedArray(labels.ToArray());

    public static LabelSet From(params (string Name, string Value)[] pairs) =>
        FromOwnedArray(pairs.Select(p => new Label(p.Name, p.Value)).ToArray());

    public int Count => _labels.Length;

    public Label this[int index] => _labels[index];

    public ReadOnlySpan<Label> AsSpan() => _labels;

    /// <summary>The value of label <paramref name="name"/>, or "" when absent (as Prometheus' <c>Labels.Get</c>).</summary>
    public string Get(string name)
    {
        foreach (ref readonly var l in _labels.AsSpan())
        {
            if (string.Equals(l.Name, name, StringComparison.Ordinal)) return l.Value;
        }
        return "";
    }

    public string MetricNameOrEmpty => Get(MetricName);

    public bool Equals(LabelSet? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other._labels.Length != _labels.Length) return false;
        if (_hash != 0 && other._hash != 0 && _hash != other._hash) return false;
        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Name, other._labels[i].Name, StringComparison.Ordinal) ||
                !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is LabelSet other && Equals(other);

    public override int GetHashCode()
    {
        if (_hash != 0) return _hash;
        var h = new HashCode();
        foreach (ref readonly var l in _labels.AsSpan())
        {
            h.Add(l.Name, StringComparer.Ordinal);
            h.Add(l.Value, StringComparer.Ordinal);
        }
        var hash = h.ToHashCode();
        _hash = hash == 0 ? 1 : hash;
        return _hash;
    }

    /// <summary>Prometheus' <c>labels.Compare</c>.</summary>
    public int CompareTo(LabelSet? other)
    {
        if (other is null) return 1;
        var n = Math.Min(_labels.Length, other._labels.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(_labels[i].Name, other._labels[i].Name);
            if (c != 0) return c;
            c = string.CompareOrdinal(_labels[i].Value, other._labels[i].Value);
            if (c != 0) return c;
        }
        return _labels.Length.CompareTo(other._labels.Length);
    }

    /// <summary>Prometheus' text form: <c>{__name__="x", a="b"}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < _labels.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(_labels[i].Name).Append('=');
            AppendQuoted(sb, _labels[i].Value);
        }
        return sb.Append('}').ToString();
    }

    private static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }

    private static bool IsSorted(Label[] labels)
    {
        for (var i = 1; i < labels.Length; i++)
        {
            if (string.CompareOrdinal(labels[i - 1].Name, labels[i].Name) > 0) return false;
        }
        return true;
    }
}
