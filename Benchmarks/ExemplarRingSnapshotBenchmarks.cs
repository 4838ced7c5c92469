using BenchmarkDotNet.Attributes;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// Write-behind's cost: a full ring of the default 10 000 exemplars (1 000 series, 32-hex trace ids) written to its
/// snapshot on every persist tick while it is dirty, and read back on activation.
/// </summary>
[MemoryDiagnoser]
public class ExemplarRingSnapshotBenchmarks
{
    private const int Capacity = 10_000;

    private ExemplarRing _ring = null!;
    private byte[] _snapshot = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var series = RingData.Series(1_000);
        _ring = new ExemplarRing(Capacity);
        for (var i = 0; i < 2 * Capacity; i++)
        {
            _ring.Append(series[i % series.Length],
                new Exemplar(RingData.TraceLabels(RingData.TraceIdName, RingData.TraceId(random)), i, i + 1, true));
        }
        _snapshot = ExemplarRingSnapshot.Write(_ring);
    }

    [Benchmark]
    public byte[] Write() => ExemplarRingSnapshot.Write(_ring);

    [Benchmark]
    public ExemplarRing Read() => ExemplarRingSnapshot.Read(_snapshot, Capacity);
}
