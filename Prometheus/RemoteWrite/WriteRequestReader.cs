using System.Text;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using ProtoLabel = OrleansExemplars.Prometheus.RemoteWrite.V1.Label;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Validates a remote-write 1.0 request with Prometheus' label rules and regroups it for the grains. A series that
/// breaks a rule is listed in <see cref="DecodedWrite.Invalid"/> and left out; the others are kept, so one bad
/// series does not cost the rest of the request. The rules are <see cref="SeriesValidation"/>'s, shared with
/// <see cref="WriteRequestV2Reader"/>. The server reads 1.0 with <see cref="RemoteWriteV1Reader"/>; this reader of
/// Google.Protobuf's objects is the oracle the tests and the decode benchmark compare it with.
/// </summary>
internal static class WriteRequestReader
{
    public static DecodedWrite Read(WriteRequest request, SeriesLimits? limits = null) =>
        SeriesValidation.Read(request.Timeseries, new Source(), limits);

    private sealed class Source : ISeriesSource<TimeSeries>
    {
        // Label names repeat across the series of a request; share one string per name (null: not valid UTF-8).
        private readonly Dictionary<ByteString, string?> _names = new();

        public bool TryReadLabels(TimeSeries series, LabelsBuilder labels, out string error) =>
            TryAddLabels(series.Labels, labels, out error);

        public string Describe(TimeSeries series) => DescribeRaw(series.Labels);

        public int ExemplarCount(TimeSeries series) => series.Exemplars.Count;

        public bool TryReadExemplar(TimeSeries series, int index, LabelsBuilder labels, out double value,
            out long timestampMs, out string error)
        {
            var exemplar = series.Exemplars[index];
            value = exemplar.Value;
            timestampMs = exemplar.Timestamp;
            return TryAddLabels(exemplar.Labels, labels, out error);
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

        public Model.NativeHistogram[] ReadHistograms(TimeSeries series) => [.. series.Histograms.Select(HistogramProtos.FromV1)];

        // Remote write 1.0 has no start timestamps.
        public long[]? ReadStartTimestamps(TimeSeries series) => null;

        private bool TryAddLabels(RepeatedField<ProtoLabel> protoLabels, LabelsBuilder labels, out string error)
        {
            foreach (var pl in protoLabels)
            {
                if (!_names.TryGetValue(pl.Name, out var name))
                {
                    name = Utf8.IsValid(pl.Name.Span) ? Encoding.UTF8.GetString(pl.Name.Span) : null;
                    _names[pl.Name] = name;
                }
                var value = Utf8.IsValid(pl.Value.Span) ? Encoding.UTF8.GetString(pl.Value.Span) : null;
                if (!labels.TryAdd(name, value, out error)) return false;
            }
            error = "";
            return true;
        }
    }

    private static string DescribeRaw(RepeatedField<ProtoLabel> protoLabels)
    {
        var sb = new StringBuilder("{");
        foreach (var pl in protoLabels)
        {
            if (sb.Length > 1) sb.Append(", ");
            sb.Append(SeriesValidation.Abbreviate(Encoding.UTF8.GetString(pl.Name.Span))).Append("=\"")
              .Append(SeriesValidation.Abbreviate(Encoding.UTF8.GetString(pl.Value.Span))).Append('"');
        }
        return sb.Append('}').ToString();
    }
}
