using BenchmarkDotNet.Attributes;
using OrleansExemplars.LoadTool;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// The ingest path's first cost: one Prometheus-shaped remote-write message (2 000 series of 5 labels, one sample
/// each, 200 with an exemplar) from snappy bytes to validated, grouped series; its parts; the Google.Protobuf path
/// it replaced; and the forwarder's encoding of the result. The message is read again and again, as a sender sends the
/// same series every scrape: the reader finds them in its cache of validated series (<see cref="ValidatedSeriesCache"/>)
/// after the first reading; the <c>_without_cache</c> benchmarks read it as before the cache, and
/// <see cref="Span_reader_every_series_a_miss"/> with a cache too small to ever hit (its worst case).
/// </summary>
[MemoryDiagnoser]
public class RemoteWriteDecodeBenchmarks
{
    private byte[] _snappy = [];
    private byte[] _raw = [];
    private byte[] _buffer = [];
    private List<ForwardSeries> _forwardWire = [];
    private List<ForwardSeries> _forwardStrings = [];
    private readonly ValidatedSeriesCache _oneSlot = new(1);

    [GlobalSetup]
    public void Setup()
    {
        _snappy = new RemoteWriteWorkload(new WorkloadShape(Seed: 1, Series: 2000, Metrics: 100,
            ExemplarRatio: 0.1, Shards: 1, StartMs: 1_700_000_000_000, StepMs: 1000)).Encode(0).Body;
        _raw = Snappier.Snappy.DecompressToArray(_snappy);
        _buffer = new byte[_raw.Length];
        _forwardWire = RemoteWriteV1Reader.Read(_raw).Forward;
        _forwardStrings = WriteRequestReader.Read(RemoteWriteDecoder.DecodeProtobuf(_raw)).Forward;
    }

    /// <summary>What the Kafka consumer calls: snappy + span reader + validation.</summary>
    [Benchmark]
    public object Decode_snappy_message_of_2000_series() =>
        RemoteWriteMessageDecoder.Decode(_snappy, null, "snappy", RemoteWriteDecoder.DefaultMaxDecompressedBytes);

    /// <summary>The path before the span reader: Google.Protobuf parse, then <see cref="WriteRequestReader"/>.</summary>
    [Benchmark]
    public object Before_Google_Protobuf_decode_and_validate() =>
        WriteRequestReader.Read(RemoteWriteDecoder.DecodeSnappy(_snappy, RemoteWriteDecoder.DefaultMaxDecompressedBytes));

    [Benchmark]
    public object Snappy_and_protobuf_only() =>
        RemoteWriteDecoder.DecodeSnappy(_snappy, RemoteWriteDecoder.DefaultMaxDecompressedBytes);

    [Benchmark]
    public int Snappy_only() => Snappier.Snappy.Decompress(_snappy, _buffer);

    [Benchmark]
    public object Span_reader_only() => RemoteWriteV1Reader.Read(_raw);

    [Benchmark]
    public object Span_reader_without_cache() => RemoteWriteV1Reader.ReadWithCache(_raw, cache: null);

    /// <summary>Every series looked up, missed, validated and stored: more distinct series than the cache has slots.</summary>
    [Benchmark]
    public object Span_reader_every_series_a_miss() => RemoteWriteV1Reader.ReadWithCache(_raw, _oneSlot);

    /// <summary>As the Kafka consumer reads a message it forwards whole.</summary>
    [Benchmark]
    public object Span_reader_as_block() =>
        RemoteWriteV1Reader.ReadWithCache(_raw, ValidatedSeriesCache.Shared, form: RemoteWriteV1Reader.ForwardForm.Block);

    [Benchmark]
    public object Span_reader_as_block_without_cache() =>
        RemoteWriteV1Reader.ReadWithCache(_raw, cache: null, form: RemoteWriteV1Reader.ForwardForm.Block);

    /// <summary>The forwarder's 1.0 body for the message's series, labels as wire bytes (samples-only series).</summary>
    [Benchmark]
    public byte[] Forward_encode_wire_labels() => WriteRequestV1Writer.Write(_forwardWire, sendExemplars: true);

    /// <summary>The same with every series' labels as strings, as before.</summary>
    [Benchmark]
    public byte[] Forward_encode_string_labels() => WriteRequestV1Writer.Write(_forwardStrings, sendExemplars: true);
}
