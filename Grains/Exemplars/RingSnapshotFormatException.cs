namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// Bytes that are not an <see cref="ExemplarRingSnapshot"/> this version can read: damaged (checksum mismatch, cut
/// short, lengths past the end), or of an unknown version. The only exception <see cref="ExemplarRingSnapshot.Read(ReadOnlySpan{byte})"/> throws.
/// </summary>
public sealed class RingSnapshotFormatException(string message) : Exception(message);
