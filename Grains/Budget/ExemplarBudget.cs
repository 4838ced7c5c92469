using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.Grains.Budget;

/// <summary>
/// The silo's exemplar budget (<c>Exemplars:MaxExemplarsPerSilo</c>): what the rings of its active metric grains hold,
/// and, when that passes the budget, which rings give back which exemplars. Prometheus keeps one ring per server, so
/// its oldest exemplar goes first whatever its metric; here every metric has a ring of its own, and the budget makes
/// them behave as one: the cut falls at one time across rings, the rings holding exemplars older than it drop those.
/// </summary>
/// <remarks>
/// Rings report their count and five timestamps along their append order (<c>ExemplarRing.AppendOrderTimestamps</c>);
/// the cut is the earliest time at which the interpolated counts older than it cover the excess. That is an estimate —
/// the loop that applies it (<see cref="ExemplarBudgetEnforcer"/>) looks again after each round. Plain accounting, no
/// Orleans: grains report from their turns, the enforcer plans from its loop.
/// </remarks>
public sealed class ExemplarBudget
{
    /// <summary>A budget passed is taken back to this share of it, so a ring at the edge is not cut on every append.</summary>
    public const double RefillTarget = 0.9;

    private readonly object _gate = new();
    private readonly Dictionary<string, RingUse> _rings = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _over = new(0, 1);
    private long _used;

    public ExemplarBudget(IOptions<ExemplarStorageOptions> options, IMeterFactory meters)
    {
        Limit = options.Value.MaxExemplarsPerSilo;
        meters.Create(IngestMetrics.MeterName).CreateObservableGauge("oe_exemplar_budget", () => Limit,
            description: "The silo's exemplar budget (Exemplars:MaxExemplarsPerSilo; 0: none); oe_ring_exemplars is what it holds.");
    }

    /// <summary>At most this many exemplars in the silo's active rings; 0: no budget.</summary>
    public long Limit { get; }

    public long Used { get { lock (_gate) return _used; } }

    /// <summary>A ring's size now (after an activation, append, replay or cut).</summary>
    public void Report(string grainKey, int count, long[] appendOrderTimestamps)
    {
        if (Limit == 0) return;
        bool over;
        lock (_gate)
        {
            _used += count - (_rings.TryGetValue(grainKey, out var old) ? old.Count : 0);
            if (count == 0) _rings.Remove(grainKey);
            else _rings[grainKey] = new RingUse(count, appendOrderTimestamps);
            over = _used > Limit;
        }
        if (over) Signal();
    }

    /// <summary>The ring's activation ended: its exemplars no longer take memory here.</summary>
    public void Leave(string grainKey) => Report(grainKey, 0, []);

    /// <summary>Completes when the budget is passed, or after <paramref name="timeout"/>.</summary>
    public Task<bool> WaitOverAsync(TimeSpan timeout, CancellationToken cancellationToken) => _over.WaitAsync(timeout, cancellationToken);

    private void Signal()
    {
        try
        {
            if (_over.CurrentCount == 0) _over.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled already.
        }
    }

    /// <summary>The cuts that bring the budget back to <see cref="RefillTarget"/> of it; empty while it holds.</summary>
    public IReadOnlyList<BudgetCut> PlanCuts()
    {
        List<(string Key, RingUse Use)> rings;
        long excess;
        lock (_gate)
        {
            if (Limit == 0 || _used <= Limit) return [];
            excess = _used - (long)(Limit * RefillTarget);
            rings = _rings.Select(p => (p.Key, p.Value)).ToList();
        }
        return PlanCuts(rings, excess);
    }

    /// <summary>The earliest cut time whose estimated drops cover <paramref name="excess"/>, as one cut per ring it reaches.</summary>
    public static IReadOnlyList<BudgetCut> PlanCuts(IReadOnlyList<(string Key, RingUse Use)> rings, long excess)
    {
        if (excess <= 0 || rings.Count == 0) return [];
        var times = rings.SelectMany(r => r.Use.Timestamps).Distinct().Order().ToArray();
        // The smallest candidate cut (strictly after a reported time) whose estimate covers the excess.
        int lo = 0, hi = times.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (EstimateOlderThan(rings, times[mid] + 1) >= excess) hi = mid;
            else lo = mid + 1;
        }
        var cut = times[lo] == long.MaxValue ? long.MaxValue : times[lo] + 1;
        var cuts = new List<BudgetCut>();
        foreach (var (key, use) in rings)
        {
            if (use.Timestamps[0] < cut) cuts.Add(new BudgetCut(key, cut, use.Count));
        }
        return cuts;
    }

    private static long EstimateOlderThan(IReadOnlyList<(string Key, RingUse Use)> rings, long cut)
    {
        long sum = 0;
        foreach (var (_, use) in rings) sum += use.EstimateOlderThan(cut);
        return sum;
    }
}

/// <summary>What one ring holds: its count and timestamps at fractions 0, ¼, ½, ¾, 1 of its append order.</summary>
public readonly record struct RingUse(int Count, long[] Timestamps)
{
    /// <summary>Entries before <paramref name="cut"/>, interpolated between the reported points (made non-decreasing).</summary>
    public long EstimateOlderThan(long cut)
    {
        if (Count == 0 || Timestamps.Length == 0 || Timestamps[0] >= cut) return 0;
        var last = Timestamps.Length - 1;
        var previous = long.MinValue;
        for (var q = 0; q <= last; q++)
        {
            var t = Math.Max(Timestamps[q], previous);
            if (t >= cut)
            {
                // Between point q-1 (before the cut) and point q (at or after it).
                double from = (double)(Count - 1) * (q - 1) / last, to = (double)(Count - 1) * q / last;
                var share = (double)(cut - previous) / Math.Max(1, t - previous);
                return (long)Math.Ceiling(from + (to - from) * Math.Clamp(share, 0, 1));
            }
            previous = t;
        }
        return Count;
    }
}

/// <summary>Drop the ring's oldest exemplars while older than <paramref name="BeforeMs"/>, at most <paramref name="Max"/>.</summary>
public readonly record struct BudgetCut(string GrainKey, long BeforeMs, int Max);
