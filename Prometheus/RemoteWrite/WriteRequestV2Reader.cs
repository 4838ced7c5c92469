using System.Text;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.RemoteWrite.V2;
using Request = OrleansExemplars.Prometheus.RemoteWrite.V2.Request;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Validates a remote-write 2.0 request and regroups it for the grains, with the rules and messages of
/// <see cref="WriteRequestReader"/> (see <see cref="SeriesValidation"/>), plus 2.0's own: label references come in
/// name, value pairs and must point into the symbols table, and so must metadata's help and unit references. A series
/// that breaks a rule is listed in <see cref="DecodedWrite.Invalid"/> and left out; the others are kept.
/// </summary>
/// <remarks>
/// As Prometheus, a request whose <c>symbols[0]</c> is not "" is not refused for it: the spec asks senders for it so
/// that an absent help or unit can point at 0, and that costs a reader that ignores metadata nothing.
/// </remarks>
public static class WriteRequestV2Reader
{
    public static DecodedWrite Read(Request request, SeriesLimits? limits = null) =>
        SeriesValidation.Read(request.Timeseries, new Source(request.Symbols), limits);

    private sealed class Source(RepeatedField<ByteString> symbols) : ISeriesSource<TimeSeries>
    {
        private const byte Valid = 1, NotUtf8 = 2; // 0: not looked at yet

        // Each symbol is checked and decoded once, when first referenced: a symbol is usually shared by many series.
        private readonly string?[] _text = new string?[symbols.Count];
        private readonly byte[] _state = new byte[symbols.Count];

        public bool TryReadLabels(TimeSeries series, LabelsBuilder labels, out string error)
        {
            if (!TryAddLabels(series.LabelsRefs, labels, out error)) return false;
            if (series.Metadata is { } metadata)
            {
                if (metadata.HelpRef >= symbols.Count)
                {
                    error = OutOfRange("metadata help_ref", metadata.HelpRef);
                    return false;
                }
                if (metadata.UnitRef >= symbols.Count)
                {
                    error = OutOfRange("metadata unit_ref", metadata.UnitRef);
                    return false;
                }
            }
            return true;
        }

        public string Describe(TimeSeries series)
        {
            var refs = series.LabelsRefs;
            var sb = new StringBuilder("{");
            for (var i = 0; i < refs.Count; i += 2)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(LossyText(refs[i]));
                if (i + 1 < refs.Count) sb.Append("=\"").Append(LossyText(refs[i + 1])).Append('"');
                else sb.Append("=<no value reference>");
            }
            return sb.Append('}').ToString();
        }

        public int ExemplarCount(TimeSeries series) => series.Exemplars.Count;

        public bool TryReadExemplar(TimeSeries series, int index, LabelsBuilder labels, out double value,
            out long timestampMs, out string error)
        {
            var exemplar = series.Exemplars[index];
            value = exemplar.Value;
            timestampMs = exemplar.Timestamp;
            return TryAddLabels(exemplar.LabelsRefs, labels, out error);
        }

        public int SampleCount(TimeSeries series) => series.Samples.Count;

        public Model.Sample[] ReadSamples(TimeSeries series)
        {
            var samples = new Model.Sample[series.Samples.Count];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = new Model.Sample(series.Samples[i].Value, series.Samples[i].Timestamp);
            }
            return samples;
        }

        public int HistogramCount(TimeSeries series) => series.Histograms.Count;

        public Model.NativeHistogram[] ReadHistograms(TimeSeries series) => [.. series.Histograms.Select(HistogramProtos.FromV2)];

        public long[]? ReadStartTimestamps(TimeSeries series)
        {
            long[]? starts = null;
            for (var i = 0; i < series.Samples.Count; i++)
            {
                if (series.Samples[i].StartTimestamp == 0) continue;
                starts ??= new long[series.Samples.Count];
                starts[i] = series.Samples[i].StartTimestamp;
            }
            return starts;
        }

        private bool TryAddLabels(RepeatedField<uint> refs, LabelsBuilder labels, out string error)
        {
            if (refs.Count % 2 != 0)
            {
                error = $"labels_refs has an odd number of entries ({refs.Count}): they must be name, value pairs of " +
                        "symbol indexes";
                return false;
            }
            for (var i = 0; i < refs.Count; i += 2)
            {
                uint nameRef = refs[i], valueRef = refs[i + 1];
                if (nameRef >= symbols.Count)
                {
                    error = OutOfRange("label name reference", nameRef);
                    return false;
                }
                if (valueRef >= symbols.Count)
                {
                    error = OutOfRange("label value reference", valueRef);
                    return false;
                }
                if (!labels.TryAdd(Text(nameRef), Text(valueRef), out error)) return false;
            }
            error = "";
            return true;
        }

        /// <summary>The symbol as a string, or null if its bytes are not valid UTF-8. <paramref name="index"/> is in range.</summary>
        private string? Text(uint index)
        {
            switch (_state[index])
            {
                case Valid: return _text[index];
                case NotUtf8: return null;
            }
            var bytes = symbols[(int)index].Span;
            if (!Utf8.IsValid(bytes))
            {
                _state[index] = NotUtf8;
                return null;
            }
            var text = bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
            _text[index] = text;
            _state[index] = Valid;
            return text;
        }

        private string LossyText(uint index) =>
            index >= symbols.Count ? $"<symbol {index} out of range>"
            : SeriesValidation.Abbreviate(Text(index) ?? Encoding.UTF8.GetString(symbols[(int)index].Span));

        private string OutOfRange(string what, uint index) =>
            $"{what} {index} is outside the symbols table ({symbols.Count} symbols)";
    }
}
