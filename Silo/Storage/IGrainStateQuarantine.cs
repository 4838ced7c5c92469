namespace OrleansExemplars.Silo.Storage;

/// <summary>Where a grain storage sets aside a stored state that does not decode (<see cref="QuarantiningGrainStorage"/>).</summary>
public interface IGrainStateQuarantine
{
    /// <summary>
    /// Keeps the damaged record's bytes under a quarantine name and removes the record, so the grain's next write
    /// starts it anew. Throws when that cannot be done (the store is unreachable): then nothing was removed.
    /// </summary>
    /// <returns>Where the bytes are now, for the log.</returns>
    Task<string> QuarantineAsync(string stateName, GrainId grainId, CorruptGrainStateException corruption, CancellationToken cancellationToken);
}
