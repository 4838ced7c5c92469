using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>How an entry keeps its exemplar's labels.</summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// An exemplar's label set in the smallest of three forms (24 bytes: one reference and 128 bits), chosen by what
    /// the labels are, so equal label sets always get the same form:
    /// <list type="bullet">
    /// <item>one label named the ring's compact name with a value of 32 or 16 lowercase hex digits: the value packed
    /// into <c>_high</c>/<c>_low</c>, and <c>_ref</c> null (32 digits) or <see cref="ShortHex"/> (16 digits);</item>
    /// <item>one label named the compact name with any other value: <c>_ref</c> is the value string;</item>
    /// <item>anything else: <c>_ref</c> is the <see cref="LabelSet"/>.</item>
    /// </list>
    /// </summary>
    private readonly struct StoredLabels
    {
        /// <summary>Marks a packed 16-digit value; a packed 32-digit value has no reference at all.</summary>
        private static readonly object ShortHex = new();

        private readonly object? _ref;
        private readonly ulong _high;
        private readonly ulong _low;

        private StoredLabels(object? reference, ulong high, ulong low)
        {
            _ref = reference;
            _high = high;
            _low = low;
        }

        /// <summary>
        /// The form of <paramref name="labels"/> in a ring whose compact name is <paramref name="compactName"/>.
        /// Allocates nothing.
        /// </summary>
        public static StoredLabels Of(LabelSet labels, string? compactName)
        {
            if (labels.Count != 1) return new StoredLabels(labels, 0, 0);
            var label = labels[0];
            if (!string.Equals(label.Name, compactName, StringComparison.Ordinal)) return new StoredLabels(labels, 0, 0);
            if (!HexLabelValue.TryPack(label.Value, out var hex)) return new StoredLabels(label.Value, 0, 0);
            return new StoredLabels(hex.IsShort ? ShortHex : null, hex.High, hex.Low);
        }

        /// <summary>
        /// Whether both hold the same label set, given that both were made with the same compact name: a form is a
        /// function of the labels, so different forms mean different labels. Allocates nothing.
        /// </summary>
        public bool SameAs(in StoredLabels other)
        {
            // Both packed of the same length, or the very same string or LabelSet (whose halves are both zero).
            if (ReferenceEquals(_ref, other._ref)) return _high == other._high && _low == other._low;
            return _ref switch
            {
                string value => other._ref is string otherValue && string.Equals(value, otherValue, StringComparison.Ordinal),
                LabelSet labels => other._ref is LabelSet otherLabels && labels.Equals(otherLabels),
                _ => false,
            };
        }

        /// <summary>The value string of the compact string form, else null.</summary>
        public string? CompactValue => _ref as string;

        /// <summary>The value of the packed form, else null.</summary>
        public HexLabelValue? CompactHex =>
            _ref is null || ReferenceEquals(_ref, ShortHex) ? HexLabelValue.FromParts(_high, _low, isShort: _ref is not null) : null;

        /// <summary>The label set of the non-compact form, else null.</summary>
        public LabelSet? LabelSet => _ref as LabelSet;

        /// <summary>The label set as appended: a new one for the compact forms (the exact original value string).</summary>
        public LabelSet ToLabelSet(string? compactName) => _ref switch
        {
            LabelSet labels => labels,
            string value => Single(compactName, value),
            _ => Single(compactName, HexLabelValue.FromParts(_high, _low, isShort: _ref is not null).ToString()),
        };

        private static LabelSet Single(string? compactName, string value) => LabelSet.FromOwnedArray([new Label(compactName!, value)]);
    }
}
