namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// A stored grain state was read but does not decode: its file or blob is damaged (see
/// <see cref="GrainStateFile"/>, <see cref="DecodingGrainStorageSerializer"/>). Thrown by a read, never for a store
/// that could not be reached; <see cref="QuarantiningGrainStorage"/> sets the record aside and starts the grain empty.
/// </summary>
public sealed class CorruptGrainStateException(string message, byte[] storedBytes, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The record as it was read, for the quarantine.</summary>
    public byte[] StoredBytes { get; } = storedBytes;
}
