using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Prometheus.Json;

/// <summary>
/// Builds a <see cref="SeriesJsonBatch"/>: series in the order given (the caller sorts them by labels), each spelled
/// byte for byte as the API host's <see cref="Utf8JsonWriter"/> (encoder <see cref="Encoder"/>, not indented) spelled
/// it: <c>{"seriesLabels":{…},"exemplars":[{"labels":{…},"value":"…","timestamp":…},…]}</c>.
/// </summary>
/// <remarks>
/// The punctuation is written directly (profiled: a Utf8JsonWriter call per token was most of a grain's query time).
/// Strings go through <see cref="JsonString"/>: copied as UTF-8 when the encoder would leave them as they are, which is
/// nearly always, else escaped by a <see cref="Utf8JsonWriter"/>, so escaping is always the writer's own.
/// </remarks>
public sealed class SeriesJsonBatchWriter
{
    /// <summary>Label values are user text (often non-ASCII): keep them readable instead of \u-escaping.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly ArrayBufferWriter<byte> _json;
    private readonly ArrayBufferWriter<byte> _keys;
    private readonly ArrayBufferWriter<byte> _index;
    private readonly ArrayBufferWriter<byte> _exemplars;
    private readonly JsonString _strings = new();
    private readonly SeriesJsonOptions _options;
    private int _count;
    private int _exemplarCount;
    private int _seriesStart = -1;
    private int _headLength;
    private bool _firstExemplar;

    /// <param name="series">Expected series, to size the buffers (growing them by doubling showed in profiles).</param>
    /// <param name="exemplars">Expected exemplars.</param>
    /// <param name="options">What to write besides the JSON (the rest stays empty).</param>
    public SeriesJsonBatchWriter(int series = 16, int exemplars = 64,
        SeriesJsonOptions options = SeriesJsonOptions.Keys | SeriesJsonOptions.ExemplarIndex)
    {
        _options = options;
        // About 120 bytes of JSON per exemplar with a trace id, 200 per series head, 100 per key.
        _json = new ArrayBufferWriter<byte>(Math.Max(256, (int)Math.Min(int.MaxValue / 2, 128L * exemplars + 256L * series)));
        _index = new ArrayBufferWriter<byte>(Math.Max(16, SeriesJsonBatch.IndexEntrySize * series));
        _keys = new ArrayBufferWriter<byte>((options & SeriesJsonOptions.Keys) != 0 ? Math.Max(64, 128 * series) : 1);
        _exemplars = new ArrayBufferWriter<byte>((options & SeriesJsonOptions.ExemplarIndex) != 0
            ? Math.Max(64, SeriesJsonBatch.ExemplarEntrySize * exemplars) : 1);
    }

    /// <summary>Starts series <paramref name="series"/>; add at least one exemplar, then <see cref="EndSeries"/>.</summary>
    public void BeginSeries(LabelSet series)
    {
        if (_seriesStart >= 0) throw new InvalidOperationException("EndSeries was not called.");
        _seriesStart = _json.WrittenCount;
        _json.Write("{\"seriesLabels\":"u8);
        WriteLabels(series);
        _json.Write(",\"exemplars\":["u8);
        _headLength = _json.WrittenCount - _seriesStart;
        _firstExemplar = true;
        if ((_options & SeriesJsonOptions.Keys) != 0) WriteKey(series);
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
        _json.Write("{"u8);
        _strings.Write(_json, labelName);
        _json.Write(":"u8);
        _strings.Write(_json, labelValue);
        _json.Write("}"u8);
        EndExemplar(start, value, timestampMs, hasTimestamp);
    }

    /// <summary>
    /// <see cref="AddExemplar(string, string, double, long, bool)"/> for a value given as UTF-8 bytes that need no JSON
    /// escaping (a packed trace id's hex digits), so no string is built for it.
    /// </summary>
    public void AddExemplar(string labelName, ReadOnlySpan<byte> plainUtf8Value, double value, long timestampMs, bool hasTimestamp)
    {
        var start = BeginExemplar();
        _json.Write("{"u8);
        WritePlainLabel(labelName, plainUtf8Value);
        _json.Write("}"u8);
        EndExemplar(start, value, timestampMs, hasTimestamp);
    }

    /// <summary>
    /// An exemplar with exactly two labels, in label set order, whose values are UTF-8 bytes that need no JSON escaping
    /// (OpenTelemetry's packed <c>span_id</c> and <c>trace_id</c>), so no strings or label set are built for them.
    /// </summary>
    public void AddExemplar(string firstName, ReadOnlySpan<byte> firstPlainUtf8Value, string secondName,
        ReadOnlySpan<byte> secondPlainUtf8Value, double value, long timestampMs, bool hasTimestamp)
    {
        var start = BeginExemplar();
        _json.Write("{"u8);
        WritePlainLabel(firstName, firstPlainUtf8Value);
        _json.Write(","u8);
        WritePlainLabel(secondName, secondPlainUtf8Value);
        _json.Write("}"u8);
        EndExemplar(start, value, timestampMs, hasTimestamp);
    }

    /// <summary><c>"name":"value"</c> for a value that needs no escaping.</summary>
    private void WritePlainLabel(string name, ReadOnlySpan<byte> plainUtf8Value)
    {
        _strings.Write(_json, name);
        _json.Write(":\""u8);
        _json.Write(plainUtf8Value);
        _json.Write("\""u8);
    }

    public void EndSeries()
    {
        if (_seriesStart < 0) throw new InvalidOperationException("BeginSeries was not called.");
        _json.Write("]}"u8);
        _count++;
        var entry = _index.GetSpan(SeriesJsonBatch.IndexEntrySize);
        BinaryPrimitives.WriteInt32LittleEndian(entry, _json.WrittenCount);
        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], _keys.WrittenCount);
        BinaryPrimitives.WriteInt32LittleEndian(entry[8..], _headLength);
        BinaryPrimitives.WriteInt32LittleEndian(entry[12..], _exemplarCount);
        _index.Advance(SeriesJsonBatch.IndexEntrySize);
        _seriesStart = -1;
    }

    public SeriesJsonBatch ToBatch() => _count == 0
        ? SeriesJsonBatch.Empty
        : new SeriesJsonBatch(_count, _json.WrittenSpan.ToArray(), _keys.WrittenSpan.ToArray(), _index.WrittenSpan.ToArray(),
            _exemplars.WrittenSpan.ToArray());

    /// <summary>Writes the separator and <c>{"labels":</c>; returns where the exemplar's object starts.</summary>
    private int BeginExemplar()
    {
        if (_seriesStart < 0) throw new InvalidOperationException("BeginSeries was not called.");
        if (!_firstExemplar) _json.Write(","u8);
        _firstExemplar = false;
        var start = _json.WrittenCount;
        _json.Write("{\"labels\":"u8);
        return start;
    }

    private void EndExemplar(int start, double value, long timestampMs, bool hasTimestamp)
    {
        var span = _json.GetSpan(2 * PrometheusJsonNumbers.MaxLength + 32);
        var pos = Copy(",\"value\":\""u8, span, 0);
        pos += PrometheusJsonNumbers.WriteValue(value, span[pos..]);
        pos = Copy("\",\"timestamp\":"u8, span, pos);
        pos += PrometheusJsonNumbers.WriteTimestamp(timestampMs, span[pos..]);
        span[pos++] = (byte)'}';
        _json.Advance(pos);
        _exemplarCount++;
        if ((_options & SeriesJsonOptions.ExemplarIndex) == 0) return;

        var entry = _exemplars.GetSpan(SeriesJsonBatch.ExemplarEntrySize);
        BinaryPrimitives.WriteInt64LittleEndian(entry, timestampMs);
        BinaryPrimitives.WriteInt64LittleEndian(entry[8..], BitConverter.DoubleToInt64Bits(value));
        entry[16] = (byte)(hasTimestamp ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(entry[17..], _json.WrittenCount - start);
        _exemplars.Advance(SeriesJsonBatch.ExemplarEntrySize);
    }

    private void WriteLabels(LabelSet labels)
    {
        _json.Write("{"u8);
        var first = true;
        foreach (var l in labels.AsSpan())
        {
            if (!first) _json.Write(","u8);
            first = false;
            _strings.Write(_json, l.Name);
            _json.Write(":"u8);
            _strings.Write(_json, l.Value);
        }
        _json.Write("}"u8);
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

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> output, int pos)
    {
        text.CopyTo(output[pos..]);
        return pos + text.Length;
    }

    /// <summary>Writes JSON strings (quoted) exactly as <see cref="Utf8JsonWriter"/> with <see cref="Encoder"/> does.</summary>
    private sealed class JsonString
    {
        private readonly ArrayBufferWriter<byte> _scratch = new(256);
        private readonly Utf8JsonWriter _escaper;

        public JsonString()
        {
            _escaper = new Utf8JsonWriter(_scratch, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
        }

        public void Write(ArrayBufferWriter<byte> output, string s)
        {
            // UTF-8 takes at most 3 bytes per UTF-16 unit.
            var span = output.GetSpan(3 * s.Length + 2);
            span[0] = (byte)'"';
            var status = Utf8.FromUtf16(s, span[1..], out _, out var written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done && Encoder.FindFirstCharacterToEncodeUtf8(span.Slice(1, written)) < 0)
            {
                span[1 + written] = (byte)'"';
                output.Advance(written + 2);
                return;
            }
            // Something to escape (a quote, a control character, a lone surrogate): let the writer do it.
            _scratch.ResetWrittenCount();
            _escaper.Reset(_scratch);
            _escaper.WriteStringValue(s);
            _escaper.Flush();
            output.Write(_scratch.WrittenSpan);
        }
    }
}
