using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>A batch encoded as one remote-write HTTP body, with what it carries.</summary>
/// <param name="Body">Snappy-compressed protobuf.</param>
/// <param name="HighestTimestampMs">Newest sample timestamp in the batch; null without samples.</param>
public sealed record EncodedBatch(byte[] Body, int Series, int Samples, int Exemplars, long? HighestTimestampMs);

/// <summary>
/// Encodes <see cref="ForwardSeries"/> batches as remote-write 1.0 <c>WriteRequest</c>s or 2.0 <c>Request</c>s
/// (snappy block). Series with nothing to send (no samples, and no exemplars or exemplars not sent) are left out.
/// Stateless and thread-safe.
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
            var ts = builder.AddSeries(series.Labels);
            foreach (var s in series.Samples) RemoteWriteV2Builder.AddSample(ts, s.Value, s.TimestampMs);
            if (sendExemplars)
            {
                foreach (var e in series.Exemplars) builder.AddExemplar(ts, e);
            }
        }
        return counts.Result(RemoteWriteDecoder.EncodeSnappy(builder.Build()));
    }

    private struct Counts
    {
        private int _series, _samples, _exemplars;
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
            if (series.Samples.Length == 0 && exemplars == 0) return false;
            _series++;
            _samples += series.Samples.Length;
            _exemplars += exemplars;
            foreach (var s in series.Samples)
            {
                if (_highest is not { } h || s.TimestampMs > h) _highest = s.TimestampMs;
            }
            return true;
        }

        public readonly EncodedBatch Result(byte[] body) => new(body, _series, _samples, _exemplars, _highest);
    }
}
