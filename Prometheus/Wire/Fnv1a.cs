using System.Runtime.CompilerServices;

namespace OrleansExemplars.Prometheus.Wire;

/// <summary>
/// 32-bit FNV-1a: stable across processes and machines, unlike <see cref="string.GetHashCode()"/>, so it can name
/// where something lives (catalog shards, forward shards) and key the decoders' string cache.
/// </summary>
public static class Fnv1a
{
    public const uint OffsetBasis = 2166136261u;
    public const uint Prime = 16777619u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Append(uint hash, byte value) => (hash ^ value) * Prime;

    public static uint Append(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) hash = (hash ^ b) * Prime;
        return hash;
    }

    public static uint Hash(ReadOnlySpan<byte> bytes) => Append(OffsetBasis, bytes);
}
