using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansExemplars.Grains;
using OrleansExemplars.Grains.Budget;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Exemplars;

/// <summary>The budget's cut of a ring and its plan across rings, on real rings.</summary>
public sealed class ExemplarBudgetTests
{
    private static Exemplar At(long ms, string trace) => new(LabelSet.From(("trace_id", trace)), 1, ms, true);

    private static ExemplarRing Ring(int capacity, IEnumerable<long> times, string series = "a")
    {
        var ring = new ExemplarRing(capacity);
        foreach (var t in times) Assert.Equal(AppendOutcome.Appended, ring.Append(LabelSet.From(("s", series)), At(t, $"t{t}")));
        return ring;
    }

    [Fact]
    public void A_cut_drops_the_oldest_before_the_time_and_keeps_the_rest_queryable()
    {
        var ring = Ring(10, Enumerable.Range(1, 14).Select(i => (long)i * 100)); // full: holds 500..1400
        Assert.Equal([500L, 700, 900, 1100, 1400], ring.AppendOrderTimestamps());
        Assert.Equal(3, ring.DropOldest(beforeMs: 800, max: 100));
        Assert.Equal(7, ring.Count);
        Assert.Equal(800, ring.OldestEntryTimestampMs);
        Assert.Equal(Enumerable.Range(8, 7).Select(i => (long)i * 100),
            ring.Select(long.MinValue, long.MaxValue, [[]]).Single().Exemplars.Select(e => e.TimestampMs));
        Assert.Equal(2, ring.DropOldest(beforeMs: 5000, max: 2));
        Assert.Equal(AppendOutcome.Appended, ring.Append(LabelSet.From(("s", "a")), At(1500, "t1500"))); // the ring goes on
        Assert.Equal(6, ring.Count);
        Assert.Equal(0, ring.DropOldest(beforeMs: 0, max: 10));
    }

    [Fact]
    public void The_plan_cuts_across_rings_at_one_time_so_the_oldest_exemplars_go_first()
    {
        // Three metrics written one after the other: the first holds the oldest exemplars.
        var rings = new Dictionary<string, ExemplarRing>
        {
            ["old"] = Ring(1000, Enumerable.Range(0, 400).Select(i => (long)i)),
            ["mid"] = Ring(1000, Enumerable.Range(400, 400).Select(i => (long)i)),
            ["new"] = Ring(1000, Enumerable.Range(800, 400).Select(i => (long)i)),
        };
        var uses = rings.Select(r => (r.Key, new RingUse(r.Value.Count, r.Value.AppendOrderTimestamps()))).ToList();
        var cuts = ExemplarBudget.PlanCuts(uses, excess: 500);
        Assert.DoesNotContain(cuts, c => c.GrainKey == "new");
        var cut = Assert.Single(cuts.Select(c => c.BeforeMs).Distinct());
        Assert.InRange(cut, 500, 520); // the estimate lands near the 500th oldest
        foreach (var c in cuts) rings[c.GrainKey].DropOldest(c.BeforeMs, c.Max);
        Assert.Equal(0, rings["old"].Count);
        Assert.Equal(400, rings["new"].Count);
        var kept = rings.Values.Sum(r => r.Count);
        Assert.InRange(kept, 1200 - 520, 1200 - 500);
        Assert.True(rings["mid"].OldestEntryTimestampMs >= 500);
    }

    [Fact]
    public void Reports_over_the_budget_plan_back_to_ninety_percent_and_leaving_frees_the_share()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var budget = new ExemplarBudget(Options.Create(new ExemplarStorageOptions { MaxExemplarsPerSilo = 1000 }),
            services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var a = Ring(1000, Enumerable.Range(0, 600).Select(i => (long)i));
        var b = Ring(1000, Enumerable.Range(600, 600).Select(i => (long)i));
        budget.Report("a", a.Count, a.AppendOrderTimestamps());
        Assert.Empty(budget.PlanCuts());
        budget.Report("b", b.Count, b.AppendOrderTimestamps());
        Assert.Equal(1200, budget.Used);
        var cuts = budget.PlanCuts();
        Assert.Equal("a", Assert.Single(cuts).GrainKey);
        a.DropOldest(cuts[0].BeforeMs, cuts[0].Max);
        budget.Report("a", a.Count, a.AppendOrderTimestamps());
        Assert.InRange(budget.Used, 880, 900); // 90 % of the budget, give or take the estimate
        budget.Leave("b");
        Assert.Equal(a.Count, budget.Used);
    }
}
