using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>Prometheus' rules for exemplar label sets.</summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// Prometheus' <c>Labels.WithoutEmpty</c>: the same instance when no value is empty, so the common case allocates
    /// nothing.
    /// </summary>
    internal static LabelSet WithoutEmpty(LabelSet? labels)
    {
        if (labels is null) return LabelSet.Empty;
        var span = labels.AsSpan();
        var empty = 0;
        foreach (ref readonly var l in span)
        {
            if (l.Value.Length == 0) empty++;
        }
        if (empty == 0) return labels;

        var kept = new Label[span.Length - empty];
        var k = 0;
        foreach (ref readonly var l in span)
        {
            if (l.Value.Length != 0) kept[k++] = l;
        }
        return LabelSet.FromOwnedArray(kept);
    }

    /// <summary>
    /// Prometheus counts label names and values in runes (<c>utf8.RuneCountInString</c>), not in bytes or UTF-16 units,
    /// and not the quotes, '=' and ',' of the text form.
    /// </summary>
    internal static bool LabelSetFits(LabelSet labels)
    {
        var units = 0L;
        foreach (ref readonly var l in labels.AsSpan())
        {
            units += l.Name.Length + l.Value.Length;
        }
        // A rune is one or two UTF-16 units, so the common short case needs no rune count.
        if (units <= MaxLabelSetRunes) return true;

        var runes = 0L;
        foreach (ref readonly var l in labels.AsSpan())
        {
            runes += CountRunes(l.Name) + CountRunes(l.Value);
            if (runes > MaxLabelSetRunes) return false;
        }
        return true;
    }

    /// <summary>
    /// A surrogate pair is one rune; a lone surrogate counts as one, as the U+FFFD it becomes in UTF-8 would in Go.
    /// </summary>
    internal static int CountRunes(string s)
    {
        var n = s.Length;
        for (var i = 0; i < s.Length - 1; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                n--;
                i++;
            }
        }
        return n;
    }
}
