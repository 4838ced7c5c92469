namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// Bytes that are not a <see cref="GrainStateFile"/> of the grain they are read for: damaged (checksum mismatch, cut
/// short, a broken header), of an unknown version, or another grain's. The only exception <see cref="GrainStateFile"/>'s
/// readers throw.
/// </summary>
public sealed class GrainStateFileFormatException(string message) : Exception(message);
