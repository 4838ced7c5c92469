using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// Heap retained by a full <see cref="ExemplarRing"/>, per stored exemplar: GC.GetTotalMemory(true) before building the
/// ring and after, with only the ring left reachable. Everything the ring keeps alive counts, series labels included.
/// </summary>
internal static class MemoryReport
{
    public const int Capacity = 100_000;
    public const int SeriesCount = 1_000;

    private enum ExemplarLabels
    {
        None,
        TraceIdSharedName,
        TraceIdOwnName,
        TraceAndSpanId,
    }

    public static void Run(System.IO.TextWriter output)
    {
        output.WriteLine($"ExemplarRing memory: capacity {Capacity:N0}, {SeriesCount:N0} series, ring filled twice over " +
                         $"(full and wrapped); {Environment.Version}, {Environment.ProcessorCount} cores, " +
                         $"server GC {System.Runtime.GCSettings.IsServerGC}");
        // Warm-up so JIT and type loading do not land in the first measurement.
        Measure(ExemplarLabels.TraceIdSharedName, 1_000, 10);

        foreach (var (mode, description) in new[]
                 {
                     (ExemplarLabels.None, "no exemplar labels (ring structure + series labels)"),
                     (ExemplarLabels.TraceIdSharedName, "trace_id=<32 hex>, name string shared (as the decoder shares names)"),
                     (ExemplarLabels.TraceIdOwnName, "trace_id=<32 hex>, name string per exemplar (no sharing at all)"),
                     (ExemplarLabels.TraceAndSpanId, "trace_id=<32 hex> + span_id=<16 hex> (OpenTelemetry's pair: both packed)"),
                 })
        {
            var (bytes, count, series) = Measure(mode, Capacity, SeriesCount);
            output.WriteLine($"  {description}: {bytes:N0} B for {count:N0} exemplars / {series:N0} series " +
                             $"= {(double)bytes / count:F1} B per exemplar");
        }
    }

    private static (long Bytes, int Count, int Series) Measure(ExemplarLabels mode, int capacity, int seriesCount)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var ring = Fill(mode, capacity, seriesCount);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var result = (after - before, ring.Count, ring.SeriesCount);
        GC.KeepAlive(ring);
        return result;
    }

    private static ExemplarRing Fill(ExemplarLabels mode, int capacity, int seriesCount)
    {
        var ring = new ExemplarRing(capacity);
        var series = RingData.Series(seriesCount);
        var random = new Random(42);
        for (var i = 0; i < 2 * capacity; i++)
        {
            var labels = mode switch
            {
                ExemplarLabels.None => LabelSet.Empty,
                ExemplarLabels.TraceIdSharedName => RingData.TraceLabels(RingData.TraceIdName, RingData.TraceId(random)),
                ExemplarLabels.TraceIdOwnName => RingData.TraceLabels(new string(RingData.TraceIdName), RingData.TraceId(random)),
                _ => LabelSet.FromOwnedArray(
                [
                    new Label("span_id", RingData.TraceId(random)[..16]),
                    new Label(RingData.TraceIdName, RingData.TraceId(random)),
                ]),
            };
            var outcome = ring.Append(series[i % seriesCount], new Exemplar(labels, i * 0.001, 1_700_000_000_000 + i, true));
            if (outcome != AppendOutcome.Appended) throw new InvalidOperationException($"append {i}: {outcome}");
        }
        return ring;
    }
}
