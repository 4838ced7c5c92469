using BenchmarkDotNet.Attributes;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// The ring's hot paths on a full ring of 100 000 exemplars: appends that evict (per exemplar, via
/// OperationsPerInvoke) and queries.
/// </summary>
[MemoryDiagnoser]
public class ExemplarRingBenchmarks
{
    private const int Capacity = 100_000;
    private const int SeriesCount = 1_000;
    private const int Batch = 10_000;

    private LabelSet[] _series = null!;
    private LabelSet[] _distinctSeries = null!;
    private LabelSet[] _traceLabels = null!;
    private ExemplarRing _newSeriesRing = null!;
    private ExemplarRing _existingSeriesRing = null!;
    private ExemplarRing _selectRing = null!;
    private int _nextNew;
    private int _nextExisting;
    private long _ts;

    private IReadOnlyList<IReadOnlyList<LabelMatcher>> _all = null!;
    private IReadOnlyList<IReadOnlyList<LabelMatcher>> _oneSeries = null!;
    private IReadOnlyList<IReadOnlyList<LabelMatcher>> _regex = null!;
    private long _windowStart;
    private long _end;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _traceLabels = new LabelSet[Capacity];
        for (var i = 0; i < Capacity; i++) _traceLabels[i] = RingData.TraceLabels(RingData.TraceIdName, RingData.TraceId(random));
        _series = RingData.Series(SeriesCount);
        // Twice the capacity: by the time a series comes round again its previous exemplar has been evicted, so every
        // append creates a series and every eviction deletes one.
        _distinctSeries = RingData.Series(2 * Capacity, seed: 2);

        _newSeriesRing = new ExemplarRing(Capacity);
        _existingSeriesRing = new ExemplarRing(Capacity);
        _selectRing = new ExemplarRing(Capacity);
        for (var i = 0; i < Capacity; i++)
        {
            var e = new Exemplar(_traceLabels[i], i, ++_ts, true);
            _newSeriesRing.Append(_distinctSeries[_nextNew++], e);
            _existingSeriesRing.Append(_series[_nextExisting++ % SeriesCount], e);
            _selectRing.Append(_series[i % SeriesCount], e);
        }
        _end = _ts;
        _windowStart = _end - Capacity / 100; // the newest 1 % of the ring: one exemplar per ms

        _all = [[LabelMatcher.Equal(LabelSet.MetricName, RingData.MetricName)]];
        _oneSeries = [[LabelMatcher.Equal(LabelSet.MetricName, RingData.MetricName), LabelMatcher.Equal("instance", "10.1.0.7:8080"),
                       LabelMatcher.Equal("le", "0.1")]];
        _regex = [[LabelMatcher.Equal(LabelSet.MetricName, RingData.MetricName),
                   new LabelMatcher(LabelMatchType.RegexMatch, "instance", "10\\.1\\.0\\.1[0-9]:8080")]];
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Append, full ring, new series each (evicts a series)")]
    public int Append_NewSeries()
    {
        var appended = 0;
        for (var i = 0; i < Batch; i++)
        {
            var k = _nextNew++ % _distinctSeries.Length;
            if (_newSeriesRing.Append(_distinctSeries[k], new Exemplar(_traceLabels[k % Capacity], k, ++_ts, true)) ==
                AppendOutcome.Appended)
            {
                appended++;
            }
        }
        return appended;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Append, full ring, 1 000 existing series")]
    public int Append_ExistingSeries()
    {
        var appended = 0;
        for (var i = 0; i < Batch; i++)
        {
            var k = _nextExisting++;
            if (_existingSeriesRing.Append(_series[k % SeriesCount], new Exemplar(_traceLabels[k % Capacity], k, ++_ts, true)) ==
                AppendOutcome.Appended)
            {
                appended++;
            }
        }
        return appended;
    }

    [Benchmark(Description = "Select all 100 000 (1 000 series)")]
    public int Select_All() => _selectRing.Select(long.MinValue, long.MaxValue, _all).Count;

    [Benchmark(Description = "SelectJson all 100 000 (1 000 series), the query answer as JSON")]
    public int SelectJson_All() => _selectRing.SelectJson(long.MinValue, long.MaxValue, _all).Json.Length;

    [Benchmark(Description = "Select one series by equality, all time (100)")]
    public int Select_OneSeries() => _selectRing.Select(long.MinValue, long.MaxValue, _oneSeries)[0].Exemplars.Length;

    [Benchmark(Description = "Select regex on instance (100 series), newest 1 % window")]
    public int Select_RegexNarrowWindow() => _selectRing.Select(_windowStart, _end, _regex).Count;
}
