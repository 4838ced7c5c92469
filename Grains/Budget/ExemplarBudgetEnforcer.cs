using Microsoft.Extensions.Logging;
using OrleansExemplars.GrainInterfaces;

namespace OrleansExemplars.Grains.Budget;

/// <summary>
/// Applies the silo's <see cref="ExemplarBudget"/>: woken when it is passed (and once a second in case a wake-up was
/// missed), it asks the rings the plan names to drop their oldest exemplars, a few grains at a time, and looks again.
/// </summary>
public sealed class ExemplarBudgetEnforcer(
    ExemplarBudget budget,
    IGrainFactory grains,
    IngestMetrics metrics,
    ILogger<ExemplarBudgetEnforcer> logger) : SiloBackgroundLoop
{
    private const int ConcurrentCuts = 32;

    protected override bool Enabled => budget.Limit > 0;

    protected override async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await budget.WaitOverAsync(TimeSpan.FromSeconds(1), stopping);
                var cuts = budget.PlanCuts();
                if (cuts.Count == 0) continue;
                long shed = 0;
                await Parallel.ForEachAsync(cuts, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCuts, CancellationToken = stopping },
                    async (cut, _) => Interlocked.Add(ref shed,
                        await grains.GetGrain<IMetricGrain>(cut.GrainKey).ShedOldestAsync(cut.BeforeMs, cut.Max)));
                metrics.RecordShed(shed);
                logger.LogDebug("Exemplar budget {Limit}: {Rings} rings dropped {Shed} exemplars older than {Cut}",
                    budget.Limit, cuts.Count, shed, cuts[0].BeforeMs);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A grain that could not cut (its silo left, storage failed) is asked again by the next plan.
                logger.LogWarning(e, "Exemplar budget: a round of cuts failed; trying again");
                await Task.Delay(TimeSpan.FromSeconds(1), stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
