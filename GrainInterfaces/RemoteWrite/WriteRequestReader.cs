using System.Text;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OrleansExemplars.GrainInterfaces.Model;
using OrleansExemplars.GrainInterfaces.RemoteWrite.V1;
using ProtoExemplar = OrleansExemplars.GrainInterfaces.RemoteWrite.V1.Exemplar;
using ProtoLabel = OrleansExemplars.GrainInterfaces.RemoteWrite.V1.Label;

namespace OrleansExemplars.GrainInterfaces.RemoteWrite;

/// <summary>
/// Validates a remote-write 1.0 request with Prometheus' label rules and regroups it for the grains. A series that
/// breaks a rule is listed in <see cref="DecodedWrite.Invalid"/> and left out; the others are kept, so one bad
/// series does not cost the rest of the request.
/// </summary>
public static class WriteRequestReader
{
    public static DecodedWrite Read(WriteRequest request)
    {
        var result = new DecodedWrite();
        var names = new Dictionary<ByteString, string>();
        foreach (var ts in request.Timeseries)
        {
            result.SeriesCount++;
            if (!TryReadLabels(ts.Labels, names, dropEmptyValues: false, out var series, out var error))
            {
                result.Invalid.Add(new InvalidSeries(DescribeRaw(ts.Labels), error));
                continue;
            }
            var metricName = series.MetricNameOrEmpty;
            if (metricName.Length == 0)
            {
                result.Invalid.Add(new InvalidSeries(series.ToString(), "missing metric name (label __name__)"));
                continue;
            }
            Model.Exemplar[]? exemplars = null;
            if (ts.Exemplars.Count > 0)
            {
                exemplars = new Model.Exemplar[ts.Exemplars.Count];
                var ok = true;
                for (var i = 0; i < exemplars.Length && ok; i++)
                {
                    ok = TryReadExemplar(ts.Exemplars[i], names, out exemplars[i], out error);
                }
                if (!ok)
                {
                    result.Invalid.Add(new InvalidSeries(series.ToString(), "exemplar: " + error));
                    continue;
                }
            }

            result.SampleCount += ts.Samples.Count;
            result.HistogramCount += ts.Histograms.Count;
            if (exemplars is not null)
            {
                result.ExemplarCount += exemplars.Length;
                if (!result.ExemplarsByMetric.TryGetValue(metricName, out var list))
                {
                    result.ExemplarsByMetric[metricName] = list = [];
                }
                list.Add(new SeriesExemplars(series, exemplars));
            }
        }
        return result;
    }

    private static bool TryReadExemplar(ProtoExemplar proto, Dictionary<ByteString, string> names,
        out Model.Exemplar exemplar, out string error)
    {
        // Prometheus drops empty-valued exemplar labels (headAppender.AppendExemplar: Labels.WithoutEmpty()).
        if (!TryReadLabels(proto.Labels, names, dropEmptyValues: true, out var labels, out error))
        {
            exemplar = default;
            return false;
        }
        exemplar = new Model.Exemplar(labels, proto.Value, proto.Timestamp, HasTimestamp: proto.Timestamp != 0);
        return true;
    }

    private static bool TryReadLabels(RepeatedField<ProtoLabel> protoLabels, Dictionary<ByteString, string> names,
        bool dropEmptyValues, out LabelSet labels, out string error)
    {
        labels = LabelSet.Empty;
        var array = new Model.Label[protoLabels.Count];
        var n = 0;
        foreach (var pl in protoLabels)
        {
            if (pl.Name.IsEmpty)
            {
                error = "label with empty name";
                return false;
            }
            if (!Utf8.IsValid(pl.Name.Span))
            {
                error = "label name is not valid UTF-8";
                return false;
            }
            if (!Utf8.IsValid(pl.Value.Span))
            {
                error = $"value of label \"{Encoding.UTF8.GetString(pl.Name.Span)}\" is not valid UTF-8";
                return false;
            }
            if (dropEmptyValues && pl.Value.IsEmpty) continue;
            // Label names repeat across the series of a request; share one string per name.
            if (!names.TryGetValue(pl.Name, out var name))
            {
                name = Encoding.UTF8.GetString(pl.Name.Span);
                names[pl.Name] = name;
            }
            array[n++] = new Model.Label(name, Encoding.UTF8.GetString(pl.Value.Span));
        }
        if (n != array.Length) Array.Resize(ref array, n);
        labels = LabelSet.FromOwnedArray(array);
        for (var i = 1; i < labels.Count; i++)
        {
            if (string.Equals(labels[i - 1].Name, labels[i].Name, StringComparison.Ordinal))
            {
                error = $"duplicate label name \"{labels[i].Name}\"";
                return false;
            }
        }
        error = "";
        return true;
    }

    private static string DescribeRaw(RepeatedField<ProtoLabel> protoLabels)
    {
        var sb = new StringBuilder("{");
        foreach (var pl in protoLabels)
        {
            if (sb.Length > 1) sb.Append(", ");
            sb.Append(Encoding.UTF8.GetString(pl.Name.Span)).Append("=\"")
              .Append(Encoding.UTF8.GetString(pl.Value.Span)).Append('"');
        }
        return sb.Append('}').ToString();
    }
}
