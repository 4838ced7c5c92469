using BenchmarkDotNet.Attributes;
using OrleansExemplars.LoadTool;
using OrleansExemplars.GrainInterfaces.RemoteWrite;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// The ingest path's first cost: one Prometheus-shaped remote-write message (2 000 series of 5 labels, one sample
/// each, 200 with an exemplar) from snappy bytes to validated, grouped series.
/// </summary>
[MemoryDiagnoser]
public class RemoteWriteDecodeBenchmarks
{
    private byte[] _snappy = [];

    [GlobalSetup]
    public void Setup() => _snappy = new RemoteWriteWorkload(new WorkloadShape(Seed: 1, Series: 2000, Metrics: 100,
        ExemplarRatio: 0.1, Shards: 1, StartMs: 1_700_000_000_000, StepMs: 1000)).Encode(0).Body;

    [Benchmark]
    public object Decode_snappy_message_of_2000_series() =>
        RemoteWriteMessageDecoder.Decode(_snappy, null, "snappy", RemoteWriteDecoder.DefaultMaxDecompressedBytes);

    [Benchmark]
    public object Snappy_and_protobuf_only() =>
        RemoteWriteDecoder.DecodeSnappy(_snappy, RemoteWriteDecoder.DefaultMaxDecompressedBytes);
}
