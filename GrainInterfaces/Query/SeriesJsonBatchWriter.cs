using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.GrainInterfaces.Query;

/// <summary>
/// Builds a <see cref="SeriesJsonBatch"/>: series in the order given (the caller sorts them by labels), each written with
/// the same <see cref="Utf8JsonWriter"/> calls the API host used to make for it, so the bytes are the ones it wrote.
/// </summary>
public sealed class SeriesJsonBatchWriter
{
    /// <summary>Label values are user text (often non-ASCII): keep them readable instead of \u-escaping.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly ArrayBufferWriter<byte> _json;
    private readonly ArrayBufferWriter<byte> _keys;
    private readonly ArrayBufferWriter<byte> _index;
    private readonly ArrayBufferWriter<byte> _exemplars;
    private readonly Utf8JsonWriter _writer;
    private int _count;
    private int _exemplarCount;
    private int _headLength = -1;

    /// <param name="series">Expected series, to size the buffers (growing them by doubling showed in profiles).</param>
    /// <param name="exemplars">Expected exemplars.</param>
    public SeriesJsonBatchWriter(int series = 16, int exemplars = 64)
    {
        // About 120 bytes of JSON per exemplar with a trace id, 200 per series head, 100 per key.
        _json = new ArrayBufferWriter<byte>(Math.Max(256, (int)Math.Min(int.MaxValue / 2, 128L * exemplars + 256L * series)));
        _keys = new ArrayBufferWriter<byte>(Math.Max(64, 128 * series));
        _index = new ArrayBufferWriter<byte>(Math.Max(16, SeriesJsonBatch.IndexEntrySize * series));
        _exemplars = new ArrayBufferWriter<byte>(Math.Max(64, SeriesJsonBatch.ExemplarEntrySize * exemplars));
        _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
    }

    /// <summary>Starts series <paramref name="series"/>; add at least one exemplar, then <see cref="EndSeries"/>.</summary>
    public void BeginSeries(LabelSet series)
    {
        if (_headLength >= 0) throw new InvalidOperationException("EndSeries was not called.");
        // A fresh JSON document per series: no comma before it, positions counted from its start.
        _writer.Reset(_json);
        _writer.WriteStartObject();
        _writer.WritePropertyName("seriesLabels");
        WriteLabels(series);
        _writer.WriteStartArray("exemplars");
        _headLength = Position;
        WriteKey(series);
    }

    public void AddExemplar(LabelSet labels, double value, long timestampMs, bool hasTimestamp)
    {
        var start = BeginExemplar();
        WriteLabels(labels);
        EndExemplar(start, value, timestampMs, hasTimestamp);
    }

    /// <summary>An exemplar with exactly one label (the usual <c>trace_id</c>), without building a label set for it.</summary>
    public void AddExemplar(string labelName, string labelValue, double value, long timestampMs, bool hasTimestamp)
    {
        var start = BeginExemplar();
        _writer.WriteStartObject();
        _writer.WriteString(labelName, labelValue);
        _writer.WriteEndObject();
        EndExemplar(start, value, timestampMs, hasTimestamp);
    }

    public void EndSeries()
    {
        if (_headLength < 0) throw new InvalidOperationException("BeginSeries was not called.");
        _writer.WriteEndArray();
        _writer.WriteEndObject();
        _writer.Flush();
        _count++;
        var entry = _index.GetSpan(SeriesJsonBatch.IndexEntrySize);
        BinaryPrimitives.WriteInt32LittleEndian(entry, _json.WrittenCount);
        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], _keys.WrittenCount);
        BinaryPrimitives.WriteInt32LittleEndian(entry[8..], _headLength);
        BinaryPrimitives.WriteInt32LittleEndian(entry[12..], _exemplarCount);
        _index.Advance(SeriesJsonBatch.IndexEntrySize);
        _headLength = -1;
    }

    public SeriesJsonBatch ToBatch() => _count == 0
        ? SeriesJsonBatch.Empty
        : new SeriesJsonBatch(_count, _json.WrittenSpan.ToArray(), _keys.WrittenSpan.ToArray(), _index.WrittenSpan.ToArray(),
            _exemplars.WrittenSpan.ToArray());

    /// <summary>Bytes of the current series written so far (committed or still pending in the writer).</summary>
    private int Position => checked((int)(_writer.BytesCommitted + _writer.BytesPending));

    private int BeginExemplar()
    {
        if (_headLength < 0) throw new InvalidOperationException("BeginSeries was not called.");
        var before = Position;
        _writer.WriteStartObject();
        _writer.WritePropertyName("labels");
        // The object's '{' is the fragment's first byte; a comma before it (not the first exemplar) is not.
        return before == _headLength ? before : before + 1;
    }

    private void EndExemplar(int start, double value, long timestampMs, bool hasTimestamp)
    {
        Span<byte> number = stackalloc byte[PrometheusJsonNumbers.MaxLength];
        _writer.WriteString("value"u8, number[..PrometheusJsonNumbers.WriteValue(value, number)]);
        _writer.WritePropertyName("timestamp"u8);
        _writer.WriteRawValue(number[..PrometheusJsonNumbers.WriteTimestamp(timestampMs, number)], skipInputValidation: true);
        _writer.WriteEndObject();
        var entry = _exemplars.GetSpan(SeriesJsonBatch.ExemplarEntrySize);
        BinaryPrimitives.WriteInt64LittleEndian(entry, timestampMs);
        BinaryPrimitives.WriteInt64LittleEndian(entry[8..], BitConverter.DoubleToInt64Bits(value));
        entry[16] = (byte)(hasTimestamp ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(entry[17..], Position - start);
        _exemplars.Advance(SeriesJsonBatch.ExemplarEntrySize);
        _exemplarCount++;
    }

    private void WriteLabels(LabelSet labels)
    {
        _writer.WriteStartObject();
        foreach (var l in labels.AsSpan())
        {
            _writer.WriteString(l.Name, l.Value);
        }
        _writer.WriteEndObject();
    }

    private void WriteKey(LabelSet series)
    {
        var size = 0;
        foreach (var l in series.AsSpan())
        {
            size += LabelWireFormat.LabelSize(Encoding.UTF8.GetByteCount(l.Name), Encoding.UTF8.GetByteCount(l.Value));
        }
        var span = _keys.GetSpan(size);
        var pos = 0;
        foreach (var l in series.AsSpan())
        {
            LabelWireFormat.WriteLabel(span, ref pos, l.Name, Encoding.UTF8.GetByteCount(l.Name), l.Value, Encoding.UTF8.GetByteCount(l.Value));
        }
        _keys.Advance(size);
    }
}
