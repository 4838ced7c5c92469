using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>How an entry keeps its exemplar's labels.</summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// The label names the compact forms stand for: <see cref="Single"/> for one label, <see cref="PairFirst"/> and
    /// <see cref="PairSecond"/> (in label set order) for two. Each is set once per ring and never changed.
    /// </summary>
    private readonly record struct CompactNames(string? Single, string? PairFirst, string? PairSecond);

    /// <summary>
    /// An exemplar's label set in the smallest of four forms (32 bytes: one reference and 192 bits), chosen by what
    /// the labels are, so equal label sets always get the same form:
    /// <list type="bullet">
    /// <item>one label named the ring's single compact name with a value of 32 or 16 lowercase hex digits: the value
    /// packed into <c>_a</c>/<c>_b</c>, and <c>_ref</c> null (32 digits) or <see cref="ShortHex"/> (16 digits);</item>
    /// <item>one label named the single compact name with any other value: <c>_ref</c> is the value string;</item>
    /// <item>two labels named the ring's pair names whose values both pack and fit 192 bits together (16+32, 32+16 or
    /// 16+16 digits; OpenTelemetry's <c>span_id</c> and <c>trace_id</c>): both values packed, first one first, and
    /// <c>_ref</c> the <see cref="PairForm"/> saying their lengths;</item>
    /// <item>anything else: <c>_ref</c> is the <see cref="LabelSet"/>.</item>
    /// </list>
    /// </summary>
    private readonly struct StoredLabels
    {
        /// <summary>Marks a packed 16-digit value; a packed 32-digit value has no reference at all.</summary>
        private static readonly object ShortHex = new();

        private readonly object? _ref;
        private readonly ulong _a;
        private readonly ulong _b;
        private readonly ulong _c;

        private StoredLabels(object? reference, ulong a, ulong b, ulong c = 0)
        {
            _ref = reference;
            _a = a;
            _b = b;
            _c = c;
        }

        /// <summary>
        /// The form of <paramref name="labels"/> in a ring whose compact names are <paramref name="names"/>.
        /// Allocates nothing.
        /// </summary>
        public static StoredLabels Of(LabelSet labels, in CompactNames names)
        {
            if (labels.Count == 2) return OfPair(labels, names);
            if (labels.Count != 1) return new StoredLabels(labels, 0, 0);
            var label = labels[0];
            if (!string.Equals(label.Name, names.Single, StringComparison.Ordinal)) return new StoredLabels(labels, 0, 0);
            if (!HexLabelValue.TryPack(label.Value, out var hex)) return new StoredLabels(label.Value, 0, 0);
            return new StoredLabels(hex.IsShort ? ShortHex : null, hex.High, hex.Low);
        }

        private static StoredLabels OfPair(LabelSet labels, in CompactNames names)
        {
            var first = labels[0];
            var second = labels[1];
            if (!string.Equals(first.Name, names.PairFirst, StringComparison.Ordinal) ||
                !string.Equals(second.Name, names.PairSecond, StringComparison.Ordinal) ||
                !HexLabelValue.TryPack(first.Value, out var x) || !HexLabelValue.TryPack(second.Value, out var y))
            {
                return new StoredLabels(labels, 0, 0);
            }
            // Two 32-digit values are 256 bits: more than an entry has room for.
            if (!x.IsShort && !y.IsShort) return new StoredLabels(labels, 0, 0);
            var form = PairForm.Of(x.IsShort, y.IsShort);
            return x.IsShort
                ? new StoredLabels(form, x.Low, y.High, y.Low)
                : new StoredLabels(form, x.High, x.Low, y.Low);
        }

        /// <summary>The pair form: what records the ring's pair names on first use.</summary>
        public bool IsPair => _ref is PairForm;

        /// <summary>
        /// Whether both hold the same label set, given that both were made with the same compact names: a form is a
        /// function of the labels, so different forms mean different labels. Allocates nothing.
        /// </summary>
        public bool SameAs(in StoredLabels other)
        {
            // Both packed of the same lengths, or the very same string or LabelSet (whose bits are all zero).
            if (ReferenceEquals(_ref, other._ref)) return _a == other._a && _b == other._b && _c == other._c;
            return _ref switch
            {
                string value => other._ref is string otherValue && string.Equals(value, otherValue, StringComparison.Ordinal),
                LabelSet labels => other._ref is LabelSet otherLabels && labels.Equals(otherLabels),
                _ => false,
            };
        }

        /// <summary>The value string of the single compact string form, else null.</summary>
        public string? CompactValue => _ref as string;

        /// <summary>The value of the single packed form, else null.</summary>
        public HexLabelValue? CompactHex =>
            _ref is null || ReferenceEquals(_ref, ShortHex) ? HexLabelValue.FromParts(_a, _b, isShort: _ref is not null) : null;

        /// <summary>The two values of the pair form, else null.</summary>
        public (HexLabelValue First, HexLabelValue Second)? CompactPair
        {
            get
            {
                if (_ref is not PairForm form) return null;
                return form.FirstShort
                    ? (HexLabelValue.FromParts(0, _a, true), HexLabelValue.FromParts(form.SecondShort ? 0 : _b, _c, form.SecondShort))
                    : (HexLabelValue.FromParts(_a, _b, false), HexLabelValue.FromParts(0, _c, true));
            }
        }

        /// <summary>The label set of the non-compact form, else null.</summary>
        public LabelSet? LabelSet => _ref as LabelSet;

        /// <summary>The label set as appended: a new one for the compact forms (the exact original value strings).</summary>
        public LabelSet ToLabelSet(in CompactNames names)
        {
            switch (_ref)
            {
                case LabelSet labels:
                    return labels;
                case string value:
                    return LabelSet.FromOwnedArray([new Label(names.Single!, value)]);
                case PairForm:
                    var (first, second) = CompactPair!.Value;
                    return LabelSet.FromOwnedArray(
                        [new Label(names.PairFirst!, first.ToString()), new Label(names.PairSecond!, second.ToString())]);
                default:
                    return LabelSet.FromOwnedArray([new Label(names.Single!, CompactHex!.Value.ToString())]);
            }
        }
    }

    /// <summary>
    /// Marks the pair form and says which of its values are 16 digits; one shared instance per combination, so
    /// <see cref="StoredLabels.SameAs"/> compares forms by reference.
    /// </summary>
    private sealed class PairForm
    {
        private static readonly PairForm ShortLong = new(true, false);
        private static readonly PairForm LongShort = new(false, true);
        private static readonly PairForm ShortShort = new(true, true);

        private PairForm(bool firstShort, bool secondShort)
        {
            FirstShort = firstShort;
            SecondShort = secondShort;
        }

        public bool FirstShort { get; }

        public bool SecondShort { get; }

        /// <summary>Not both long: two 32-digit values do not fit.</summary>
        public static PairForm Of(bool firstShort, bool secondShort) =>
            firstShort ? (secondShort ? ShortShort : ShortLong) : LongShort;
    }
}
