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
    ILogger<ExemplarBudgetEnforcer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int ConcurrentCuts = 32;

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ExemplarBudgetEnforcer), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        if (budget.Limit > 0) _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(CancellationToken stopping)
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
