using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// Wraps a grain storage so that a stored state that does not decode (<see cref="CorruptGrainStateException"/>: a
/// ring whose blob or file was damaged) is set aside instead of failing its grain's activation, and with it every call,
/// Kafka delivery and WAL replay to that grain, for ever: the record's bytes go to the quarantine
/// (<see cref="IGrainStateQuarantine"/>), the event is counted (<c>oe_grain_states_quarantined_total</c>) and logged
/// with the grain's key, and the grain starts from an empty state, which new data and the WAL's replay fill. A store
/// that cannot be reached is not damage: its errors pass through, and the activation fails until it is back.
/// Successful writes and clears are counted per state name (<c>oe_grain_state_{writes,clears}_total</c>).
/// </summary>
public sealed class QuarantiningGrainStorage(
    string name,
    IGrainStorage inner,
    IGrainStateQuarantine quarantine,
    IActivatorProvider activators,
    GrainStorageMetrics metrics,
    ILogger<QuarantiningGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public IGrainStorage Inner => inner;

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        try
        {
            await inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
            return;
        }
        catch (CorruptGrainStateException corruption)
        {
            // If this fails the record stays where it is and the activation fails: the next one tries again.
            var where = await quarantine.QuarantineAsync(stateName, grainId, corruption, cancellationToken);
            metrics.Quarantined();
            logger.LogError(corruption,
                "Grain storage '{Storage}': state '{State}' of {GrainType} '{GrainKey}' does not decode ({Reason}). Its {Bytes} bytes were moved to {Quarantine}; the grain starts empty",
                name, stateName, grainId.Type.ToString(), grainId.Key.ToString(), corruption.Message, corruption.StoredBytes.Length, where);
        }
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        metrics.Written(stateName);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        await inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
        metrics.Cleared(stateName);
    }
}
