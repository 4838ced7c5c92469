namespace OrleansExemplars.Grains;

/// <summary>
/// A loop a silo runs beside its grains from the <see cref="ServiceLifecycleStage.Active"/> stage until shutdown (the
/// exemplar budget's cuts, the catalog shards' wake-ups): started only when <see cref="Enabled"/>, cancelled and
/// awaited on the way out, within the time the lifecycle gives the stop.
/// </summary>
public abstract class SiloBackgroundLoop : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Whether there is anything to do with this configuration (read once, at start).</summary>
    protected abstract bool Enabled { get; }

    /// <summary>The loop; returns when <paramref name="stopping"/> is cancelled.</summary>
    protected abstract Task RunAsync(CancellationToken stopping);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        if (Enabled) _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
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
}
