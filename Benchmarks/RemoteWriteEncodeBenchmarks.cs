using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using OrleansExemplars.LoadTool;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using Model = OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// The forwarding path's encode: one batch of 2 000 series (the load tool's histogram series, 6 labels, one sample
/// each, 200 with a trace-id exemplar) to a remote-write 1.0 body, with the direct writer the forwarders use and, for
/// reference, through the generated protobuf objects (the forwarders' former path).
/// </summary>
[MemoryDiagnoser]
public class RemoteWriteEncodeBenchmarks
{
    private Model.ForwardSeries[] _batch = [];
    private WriteRequest _message = new();

    [GlobalSetup]
    public void Setup()
    {
        _message = new RemoteWriteWorkload(new WorkloadShape(Seed: 1, Series: 2000, Metrics: 100, ExemplarRatio: 0.1, Shards: 1,
            StartMs: 1_700_000_000_000, StepMs: 1000)).Build(0);
        _batch = _message.Timeseries.Select(s => new Model.ForwardSeries(
            Model.LabelSet.FromOwnedArray(s.Labels.Select(l => new Model.Label(l.Name.ToStringUtf8(), l.Value.ToStringUtf8())).ToArray()),
            s.Samples.Select(x => new Model.Sample(x.Value, x.Timestamp)).ToArray(),
            s.Exemplars.Select(e => new Model.Exemplar(
                Model.LabelSet.FromOwnedArray(e.Labels.Select(l => new Model.Label(l.Name.ToStringUtf8(), l.Value.ToStringUtf8())).ToArray()),
                e.Value, e.Timestamp, true)).ToArray())).ToArray();
    }

    [Benchmark(Description = "WriteRequestV1Writer.Write, 2 000 series (protobuf bytes)")]
    public int Write_direct() => WriteRequestV1Writer.Write(_batch, sendExemplars: true).Length;

    [Benchmark(Description = "WriteRequestV1Writer.Write + snappy (what a forwarder sends)")]
    public int Write_direct_snappy() => Snappier.Snappy.CompressToArray(WriteRequestV1Writer.Write(_batch, sendExemplars: true)).Length;

    [Benchmark(Description = "Generated WriteRequest.ToByteArray, same 2 000 series (objects prebuilt)")]
    public int Generated_message_serialize() => _message.ToByteArray().Length;
}
