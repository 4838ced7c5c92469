using BenchmarkDotNet.Attributes;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// The exemplar WAL's CPU side: encoding what a metric grain logs per call (100 series with one trace-id exemplar
/// each), decoding it on replay, and the frame CRC. One durable append (a write + fsync on this
/// machine's disk) for reference; throughput under concurrent writers, where group commit pays, is the `wal` command.
/// </summary>
[MemoryDiagnoser]
public class WalBenchmarks
{
    private const string Metric = RingData.MetricName;
    private SeriesExemplars[] _batch = [];
    private byte[] _record = [];
    private string _dir = "";
    private ExemplarWal _wal = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var series = RingData.Series(100);
        _batch = series.Select((s, i) => new SeriesExemplars(s,
            [new Exemplar(RingData.TraceLabels(RingData.TraceIdName, RingData.TraceId(random)), 0.1 * i, 1_700_000_000_000 + i, true)])).ToArray();
        _record = WalExemplarRecord.Encode(Metric, _batch);
        _dir = Directory.CreateTempSubdirectory("oe-bench-wal-").FullName;
        _wal = ExemplarWal.Open(new WalOptions { Directory = _dir });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wal.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "WalExemplarRecord.Encode, 100 series × 1 exemplar")]
    public int Encode() => WalExemplarRecord.Encode(Metric, _batch).Length;

    [Benchmark(Description = "WalExemplarRecord.Decode, same record (replay)")]
    public int Decode() => WalExemplarRecord.Decode(_record).Batch.Length;

    [Benchmark(Description = "WalFrame.Crc32C of the record")]
    public uint Crc() => WalFrame.Crc32C(_record);

    [Benchmark(Description = "ExemplarWal.AppendAsync, one writer (write + fsync)")]
    public Task<long> Append() => _wal.AppendAsync(_record);
}
