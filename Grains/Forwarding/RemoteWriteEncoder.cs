using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>A batch encoded as one remote-write HTTP body, with what it carries.</summary>
/// <param name="Body">Snappy-compressed protobuf.</param>
/// <param name="HighestTimestampMs">Newest sample (or histogram) timestamp in the batch; null without either.</param>
/// <param name="Histograms">Native-histogram samples carried.</param>
public sealed record EncodedBatch(byte[] Body, int Series, int Samples, int Exemplars, long? HighestTimestampMs, int Histograms = 0);

/// <summary>
/// Encodes <see cref="ForwardSeries"/> batches as remote-write 1.0 <c>WriteRequest</c>s or 2.0 <c>Request</c>s
/// (snappy block). Series with nothing to send (no samples or histograms, and no exemplars or exemplars not sent) are
/// left out. Native histograms go in each protocol's own message (1.0 <c>prometheus.Histogram</c>, 2.0
/// <c>io.prometheus.write.v2.Histogram</c>), in the order they came, with the series' float samples; start timestamps
/// (2.0 senders') reach 2.0 endpoints only, 1.0 having no field for them. Stateless and thread-safe.
/// </summary>
public static class RemoteWriteEncoder
{
    public const string V1ContentType = "application/x-protobuf";
    public const string V1Version = "0.1.0";
    public const string V2ContentType = RemoteWriteDecoder.V2ContentType;
    public const string V2Version = "2.0.0";

    public static EncodedBatch Encode(IReadOnlyList<ForwardSeries> batch, RemoteWriteProtocol protocol, bool sendExemplars) =>
        protocol == RemoteWriteProtocol.V2 ? EncodeV2(batch, sendExemplars) : EncodeV1(batch, sendExemplars);

    public static EncodedBatch EncodeV1(IReadOnlyList<ForwardSeries> batch, bool sendExemplars)
    {
        var counts = new Counts();
        foreach (var series in batch) counts.Add(series, sendExemplars);
        return counts.Result(Snappier.Snappy.CompressToArray(WriteRequestV1Writer.Write(batch, sendExemplars)));
    }

    public static EncodedBatch EncodeV2(IReadOnlyList<ForwardSeries> batch, bool sendExemplars)
    {
        var builder = new RemoteWriteV2Builder();
        var counts = new Counts();
        // A 2.0 request has its own symbol table: a block is read back into its series first.
        // It was validated when it came in: no limit applies a second time.
        foreach (var series in batch.SelectMany(s =>
                     s.Block is { } block ? RemoteWriteV1Reader.Read(block.Bytes, SeriesLimits.Unlimited).Forward : [s]))
        {
            if (!counts.Add(series, sendExemplars)) continue;
            // A 2.0 TimeSeries holds float samples or histograms, never both (the spec's MUST NOT): a series with both
            // (which 1.0 allows) becomes two, and its exemplars go with the histograms, whose buckets they belong to.
            var histograms = series.Histograms;
            var floats = series.Samples.Length > 0 || histograms.Length == 0 ? builder.AddSeries(series.Labels) : null;
            if (floats is not null)
            {
                var starts = series.SampleStartTimestamps;
                for (var i = 0; i < series.Samples.Length; i++)
                {
                    var s = series.Samples[i];
                    floats.Samples.Add(new V2.Sample { Value = s.Value, Timestamp = s.TimestampMs, StartTimestamp = starts?[i] ?? 0 });
                }
            }
            var native = histograms.Length > 0 ? builder.AddSeries(series.Labels) : null;
            if (native is not null)
            {
                foreach (var h in histograms) native.Histograms.Add(HistogramProtos.ToV2(h));
            }
            if (sendExemplars)
            {
                foreach (var e in series.Exemplars) builder.AddExemplar(native ?? floats!, e);
            }
        }
        return counts.Result(RemoteWriteDecoder.EncodeSnappy(builder.Build()));
    }

    private struct Counts
    {
        private int _series, _samples, _exemplars, _histograms;
        private long? _highest;

        /// <summary>Counts <paramref name="series"/> in; false when it has nothing to send.</summary>
        public bool Add(ForwardSeries series, bool sendExemplars)
        {
            if (series.Block is { } block)
            {
                if (!WriteRequestV1Writer.HasContent(series, sendExemplars)) return false;
                _series += block.Series;
                _samples += block.Samples;
                _exemplars += sendExemplars ? block.Exemplars : 0;
                if (block.HighestTimestampMs is { } b && (_highest is not { } hb || b > hb)) _highest = b;
                return true;
            }
            var exemplars = sendExemplars ? series.Exemplars.Length : 0;
            if (series.Samples.Length == 0 && series.HistogramCount == 0 && exemplars == 0) return false;
            _series++;
            _samples += series.Samples.Length;
            _histograms += series.HistogramCount;
            _exemplars += exemplars;
            foreach (var s in series.Samples) Newest(s.TimestampMs);
            foreach (var h in series.Histograms) Newest(h.TimestampMs);
            return true;
        }

        private void Newest(long timestampMs)
        {
            if (_highest is not { } h || timestampMs > h) _highest = timestampMs;
        }

        public readonly EncodedBatch Result(byte[] body) => new(body, _series, _samples, _exemplars, _highest, _histograms);
    }
}
