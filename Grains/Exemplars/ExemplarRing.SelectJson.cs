using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>Prometheus' Select, answered as the JSON the HTTP answer holds (see <see cref="SeriesJsonBatch"/>).</summary>
public sealed partial class ExemplarRing
{
    /// <summary>
    /// The same series and exemplars as <see cref="Select"/>, in the same order, as the JSON of the HTTP answer, without
    /// building <see cref="Exemplar"/>s or label sets for them.
    /// </summary>
    /// <param name="options">What the batch carries besides the JSON (what merging it with other grains' answers needs).</param>
    public SeriesJsonBatch SelectJson(long startMs, long endMs, IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets,
        SeriesJsonOptions options = SeriesJsonOptions.Keys | SeriesJsonOptions.ExemplarIndex)
    {
        var matched = Match(startMs, endMs, matcherSets, out var exemplars);
        if (matched.Count == 0) return SeriesJsonBatch.Empty;

        var buffer = _buffer;
        var output = new SeriesJsonBatchWriter(matched.Count, exemplars, options);
        foreach (var (slot, first, count) in matched)
        {
            output.BeginSeries(_series[slot].Labels!);
            for (int i = first, k = 0; k < count; i = buffer[i].Next, k++)
            {
                WriteExemplar(output, buffer[i]);
            }
            output.EndSeries();
        }
        return output.ToBatch();
    }

    private void WriteExemplar(SeriesJsonBatchWriter output, in Entry e)
    {
        var json = new JsonExemplar(output, _names, e.Value, e.TimestampMs, e.HasTimestamp);
        e.Labels.WriteTo(ref json);
    }

    /// <summary>One exemplar into the answer, its labels written from their stored form without a label set.</summary>
    private readonly struct JsonExemplar(SeriesJsonBatchWriter output, CompactNames names, double value, long timestampMs,
        bool hasTimestamp) : ILabelFormWriter
    {
        public void Hex(HexLabelValue hex)
        {
            Span<byte> digits = stackalloc byte[HexLabelValue.LongDigits];
            hex.TryWriteUtf8(digits, out var length);
            output.AddExemplar(names.Single!, digits[..length], value, timestampMs, hasTimestamp);
        }

        public void String(string labelValue) => output.AddExemplar(names.Single!, labelValue, value, timestampMs, hasTimestamp);

        public void HexPair(HexLabelValue first, HexLabelValue second)
        {
            Span<byte> digits = stackalloc byte[2 * HexLabelValue.LongDigits];
            first.TryWriteUtf8(digits, out var firstLength);
            second.TryWriteUtf8(digits[firstLength..], out var secondLength);
            output.AddExemplar(names.PairFirst!, digits[..firstLength], names.PairSecond!,
                digits.Slice(firstLength, secondLength), value, timestampMs, hasTimestamp);
        }

        public void Labels(LabelSet labels) => output.AddExemplar(labels, value, timestampMs, hasTimestamp);
    }
}
