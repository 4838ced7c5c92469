using OrleansExemplars.Prometheus.Wire;
using static OrleansExemplars.Prometheus.Wire.RemoteWriteV1Tags;

namespace OrleansExemplars.Prometheus.RemoteWrite;

public static partial class RemoteWriteV1Reader
{
    /// <summary>
    /// A request read before (a <see cref="Model.WriteRequestBlock"/>) without its exemplars, for endpoints that are
    /// not sent exemplars: series without any are copied as they are, the others without their exemplar fields
    /// (and a new length); every other field is kept.
    /// </summary>
    /// <exception cref="RemoteWriteFormatException">The bytes are not a valid protobuf message.</exception>
    public static byte[] WithoutExemplars(ReadOnlySpan<byte> data)
    {
        try
        {
            return WithoutExemplarsCore(data);
        }
        catch (WireException e)
        {
            throw new RemoteWriteFormatException(RemoteWriteFormatError.BadProtobuf, $"stripping exemplars: invalid protobuf: {e.Message}", e);
        }
    }

    private static byte[] WithoutExemplarsCore(ReadOnlySpan<byte> data)
    {
        // Never longer than the input: fields are only dropped, and a shorter series needs no longer length prefix.
        var output = new byte[data.Length];
        var o = 0;
        var pos = 0;
        while (pos < data.Length)
        {
            var start = pos;
            var tag = ReadTag(data, ref pos, data.Length);
            if (tag != TimeSeriesTag)
            {
                SkipField(data, ref pos, data.Length, tag, depth: 0);
                data[start..pos].CopyTo(output.AsSpan(o));
                o += pos - start;
                continue;
            }
            var length = ReadLength(data, ref pos, data.Length);
            var series = data.Slice(pos, length);
            pos += length;
            var kept = KeptLength(series, out var hasExemplars);
            if (!hasExemplars)
            {
                data[start..pos].CopyTo(output.AsSpan(o));
                o += pos - start;
                continue;
            }
            output[o++] = (byte)TimeSeriesTag;
            Varint.Write(output, ref o, (uint)kept);
            for (var p = 0; p < series.Length;)
            {
                var fieldStart = p;
                var fieldTag = ReadTag(series, ref p, series.Length);
                SkipField(series, ref p, series.Length, fieldTag, depth: 1);
                if (fieldTag == ExemplarsTag) continue;
                series[fieldStart..p].CopyTo(output.AsSpan(o));
                o += p - fieldStart;
            }
        }
        return output.AsSpan(0, o).ToArray();
    }

    /// <summary>Bytes of <paramref name="series"/>' fields other than exemplars.</summary>
    private static int KeptLength(ReadOnlySpan<byte> series, out bool hasExemplars)
    {
        hasExemplars = false;
        var kept = 0;
        for (var p = 0; p < series.Length;)
        {
            var fieldStart = p;
            var tag = ReadTag(series, ref p, series.Length);
            SkipField(series, ref p, series.Length, tag, depth: 1);
            if (tag == ExemplarsTag) hasExemplars = true;
            else kept += p - fieldStart;
        }
        return kept;
    }
}
