using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OrleansExemplars.Prometheus.RemoteWrite;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Builds remote-write 2.0 requests for tests: from explicit symbols and references (to send what no well-behaved
/// sender would), or by translating a 1.0 request, which gives the same data in both versions.
/// </summary>
public static class WriteRequestsV2
{
    /// <summary>A request with exactly these symbols (as UTF-8; use <see cref="Bytes"/> for arbitrary bytes).</summary>
    public static V2.Request RequestV2(IEnumerable<object> symbols, params V2.TimeSeries[] series)
    {
        var request = new V2.Request();
        request.Symbols.AddRange(symbols.Select(s => s switch
        {
            string text => ByteString.CopyFromUtf8(text),
            ByteString bytes => bytes,
            byte[] bytes => ByteString.CopyFrom(bytes),
            _ => throw new ArgumentException($"not a symbol: {s}"),
        }));
        request.Timeseries.AddRange(series);
        return request;
    }

    public static ByteString Bytes(params byte[] bytes) => ByteString.CopyFrom(bytes);

    /// <summary>A series with these label references (name, value, name, value, ...).</summary>
    public static V2.TimeSeries SeriesRefs(params uint[] labelsRefs)
    {
        var ts = new V2.TimeSeries();
        ts.LabelsRefs.AddRange(labelsRefs);
        return ts;
    }

    public static V2.TimeSeries WithSample(this V2.TimeSeries ts, double value, long timestampMs)
    {
        ts.Samples.Add(new V2.Sample { Value = value, Timestamp = timestampMs });
        return ts;
    }

    /// <summary>A valid integer histogram of <paramref name="count"/> observations, all in the zero bucket.</summary>
    public static V2.TimeSeries WithHistogram(this V2.TimeSeries ts, ulong count, long timestampMs)
    {
        ts.Histograms.Add(new V2.Histogram { CountInt = count, ZeroCountInt = count, Timestamp = timestampMs });
        return ts;
    }

    public static V2.TimeSeries WithExemplarRefs(this V2.TimeSeries ts, double value, long timestampMs,
        params uint[] labelsRefs)
    {
        var e = new V2.Exemplar { Value = value, Timestamp = timestampMs };
        e.LabelsRefs.AddRange(labelsRefs);
        ts.Exemplars.Add(e);
        return ts;
    }

    public static V2.TimeSeries WithMetadata(this V2.TimeSeries ts, uint helpRef, uint unitRef)
    {
        ts.Metadata = new V2.Metadata { Type = V2.Metadata.Types.MetricType.Counter, HelpRef = helpRef, UnitRef = unitRef };
        return ts;
    }

    /// <summary>
    /// The same data as a 2.0 request, symbols interned by their raw bytes (so invalid UTF-8 carries over) and labels
    /// kept in the sender's order. Independent of <see cref="RemoteWriteV2Builder"/> on purpose.
    /// </summary>
    public static V2.Request ToV2(V1.WriteRequest v1)
    {
        var request = new V2.Request();
        var refs = new Dictionary<ByteString, uint>();
        uint Ref(ByteString s)
        {
            if (!refs.TryGetValue(s, out var index))
            {
                index = (uint)request.Symbols.Count;
                request.Symbols.Add(s);
                refs[s] = index;
            }
            return index;
        }
        void AddRefs(RepeatedField<uint> into, IEnumerable<V1.Label> labels)
        {
            foreach (var l in labels)
            {
                into.Add(Ref(l.Name));
                into.Add(Ref(l.Value));
            }
        }

        Ref(ByteString.Empty);
        foreach (var ts1 in v1.Timeseries)
        {
            var ts2 = new V2.TimeSeries();
            AddRefs(ts2.LabelsRefs, ts1.Labels);
            ts2.Samples.AddRange(ts1.Samples.Select(s => new V2.Sample { Value = s.Value, Timestamp = s.Timestamp }));
            // Histogram fields 1 to 15 are numbered alike in both versions.
            ts2.Histograms.AddRange(ts1.Histograms.Select(h => V2.Histogram.Parser.ParseFrom(h.ToByteString())));
            foreach (var e1 in ts1.Exemplars)
            {
                var e2 = new V2.Exemplar { Value = e1.Value, Timestamp = e1.Timestamp };
                AddRefs(e2.LabelsRefs, e1.Labels);
                ts2.Exemplars.Add(e2);
            }
            request.Timeseries.Add(ts2);
        }
        return request;
    }

    /// <summary>Everything a <see cref="DecodedWrite"/> holds, as text, for comparing two of them.</summary>
    public static string Dump(DecodedWrite write)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"series={write.SeriesCount} samples={write.SampleCount} exemplars={write.ExemplarCount} " +
                      $"histograms={write.HistogramCount}");
        foreach (var invalid in write.Invalid) sb.AppendLine($"invalid: {invalid}");
        foreach (var (metric, list) in write.ExemplarsByMetric.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.AppendLine($"metric {metric}:");
            foreach (var s in list)
            {
                sb.AppendLine($"  {s.Series}{(s.NativeHistogram ? " (native histogram)" : "")}");
                foreach (var e in s.Exemplars)
                {
                    sb.AppendLine($"    {e.Labels} {e.Value:R} {e.TimestampMs} {e.HasTimestamp}");
                }
            }
        }
        foreach (var f in write.Forward)
        {
            sb.AppendLine($"forward {f.Labels}: {f.Samples.Length} samples, {f.Exemplars.Length} exemplars");
            for (var i = 0; i < f.Samples.Length; i++)
            {
                sb.AppendLine($"  {f.Samples[i].Value:R} @{f.Samples[i].TimestampMs} st={f.SampleStartTimestamps?[i] ?? 0}");
            }
            foreach (var h in f.Histograms) sb.AppendLine($"  histogram {h}");
        }
        return sb.ToString();
    }
}
