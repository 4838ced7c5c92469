using System.Buffers;
using System.IO.Hashing;
using System.Text;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>Which exemplars a ring takes after its series' newest one (<see cref="ExemplarRing.Append"/>).</summary>
public enum ExemplarOrder
{
    /// <summary>
    /// Prometheus 2.42's rule: a timestamp not after the newest's is out of order. Float series (and classic histogram
    /// buckets, which are float series) have one exemplar per sample, so this is what they get.
    /// </summary>
    StrictTimestamps,

    /// <summary>
    /// Prometheus 3's rule (tsdb/exemplar.go, <c>validateExemplar</c>): an older timestamp is out of order; one equal to
    /// the newest's is taken when the value is greater, or equal with a labels hash not smaller (Prometheus sorts a
    /// scrape's exemplars by timestamp, value and labels before appending them). A native histogram carries one exemplar
    /// per bucket with the same timestamp, which is why Prometheus 3 changed the rule; this ring applies it to
    /// native-histogram series (<see cref="SeriesExemplars.NativeHistogram"/>) and to exemplars it takes back from its own
    /// snapshot or log, which were accepted once already.
    /// </summary>
    SameTimestampByValue,
}

public sealed partial class ExemplarRing
{
    /// <summary>
    /// Prometheus' <c>labels.Hash()</c> of a label set as built by Prometheus 3.5 and later (the default "stringlabels"
    /// form): xxHash64 of each label's name and value, in name order, each prefixed with its UTF-8 length (one byte below
    /// 255, else 255 and three bytes little-endian).
    /// </summary>
    internal static ulong PrometheusLabelsHash(LabelSet labels)
    {
        var size = 0;
        foreach (var l in labels.AsSpan()) size += SizedLength(l.Name) + SizedLength(l.Value);
        var rented = size <= 512 ? null : ArrayPool<byte>.Shared.Rent(size);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        try
        {
            var pos = 0;
            foreach (var l in labels.AsSpan())
            {
                Sized(buffer, ref pos, l.Name);
                Sized(buffer, ref pos, l.Value);
            }
            return XxHash64.HashToUInt64(buffer[..pos]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }

        static int SizedLength(string text)
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            return (bytes < 255 ? 1 : 4) + bytes;
        }

        static void Sized(Span<byte> buffer, ref int pos, string text)
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes < 255)
            {
                buffer[pos++] = (byte)bytes;
            }
            else
            {
                buffer[pos++] = 255;
                buffer[pos++] = (byte)bytes;
                buffer[pos++] = (byte)(bytes >> 8);
                buffer[pos++] = (byte)(bytes >> 16);
            }
            pos += Encoding.UTF8.GetBytes(text, buffer[pos..]);
        }
    }
}
