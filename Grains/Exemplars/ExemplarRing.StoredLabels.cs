using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>How an entry keeps its exemplar's labels.</summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// The label names the compact forms stand for: <see cref="Single"/> for one label, <see cref="PairFirst"/> and
    /// <see cref="PairSecond"/> (in label set order) for two. Each is set once per ring and never changed.
    /// </summary>
    internal readonly record struct CompactNames(string? Single, string? PairFirst, string? PairSecond);

    /// <summary>The four forms of <see cref="StoredLabels"/>.</summary>
    internal enum LabelForm
    {
        /// <summary>The single compact label, its value packed (32 or 16 hex digits).</summary>
        Hex,

        /// <summary>The single compact label, its value as a string.</summary>
        String,

        /// <summary>The two pair labels, both values packed.</summary>
        HexPair,

        /// <summary>Any other label set, held as it is.</summary>
        LabelSet,
    }

    /// <summary>
    /// What reads an entry's labels in their form (the JSON answer, the snapshot, a rebuilt <see cref="Prometheus.Model.LabelSet"/>):
    /// <see cref="StoredLabels.WriteTo"/> holds the one switch over the forms. The names the compact forms stand for are
    /// the ring's (<see cref="CompactName"/>, <see cref="PairNames"/>).
    /// </summary>
    internal interface ILabelFormWriter
    {
        void Hex(HexLabelValue value);

        void String(string value);

        void HexPair(HexLabelValue first, HexLabelValue second);

        void Labels(LabelSet labels);
    }

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
    internal readonly struct StoredLabels
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

        /// <summary>Which form this is: told by the reference (no room for a field of its own in an entry).</summary>
        public LabelForm Form => _ref switch
        {
            null => LabelForm.Hex,
            string => LabelForm.String,
            PairForm => LabelForm.HexPair,
            LabelSet => LabelForm.LabelSet,
            _ => LabelForm.Hex, // ShortHex
        };

        /// <summary>Hands the labels to <paramref name="writer"/> in their form. Allocates nothing.</summary>
        public void WriteTo<TWriter>(ref TWriter writer) where TWriter : ILabelFormWriter
        {
            switch (Form)
            {
                case LabelForm.Hex:
                    writer.Hex(HexLabelValue.FromParts(_a, _b, isShort: _ref is not null));
                    break;
                case LabelForm.String:
                    writer.String((string)_ref!);
                    break;
                case LabelForm.HexPair:
                    var form = (PairForm)_ref!;
                    if (form.FirstShort)
                    {
                        writer.HexPair(HexLabelValue.FromParts(0, _a, true),
                            HexLabelValue.FromParts(form.SecondShort ? 0 : _b, _c, form.SecondShort));
                    }
                    else
                    {
                        writer.HexPair(HexLabelValue.FromParts(_a, _b, false), HexLabelValue.FromParts(0, _c, true));
                    }
                    break;
                default:
                    writer.Labels((LabelSet)_ref!);
                    break;
            }
        }

        /// <summary>The label set as appended: a new one for the compact forms (the exact original value strings).</summary>
        public LabelSet ToLabelSet(in CompactNames names)
        {
            var rebuild = new LabelSetBuilder(names);
            WriteTo(ref rebuild);
            return rebuild.Result!;
        }
    }

    /// <summary>Rebuilds the label set an entry stands for.</summary>
    private struct LabelSetBuilder(CompactNames names) : ILabelFormWriter
    {
        public LabelSet? Result;

        public void Hex(HexLabelValue value) => Result = LabelSet.FromOwnedArray([new Label(names.Single!, value.ToString())]);

        public void String(string value) => Result = LabelSet.FromOwnedArray([new Label(names.Single!, value)]);

        public void HexPair(HexLabelValue first, HexLabelValue second) => Result = LabelSet.FromOwnedArray(
            [new Label(names.PairFirst!, first.ToString()), new Label(names.PairSecond!, second.ToString())]);

        public void Labels(LabelSet labels) => Result = labels;
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
