using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OrleansExemplars.Grains.Wal;

/// <summary>
/// A WAL record on disk: <c>[length u32 LE][crc32c(payload) u32 LE][payload]</c>. The length comes first so a torn
/// tail (a frame cut short by a crash) is recognisable; the CRC catches a flipped bit anywhere in the payload.
/// </summary>
public static class WalFrame
{
    public const int HeaderBytes = 8;

    public static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32C(payload));
    }

    public static (int Length, uint Crc) ReadHeader(ReadOnlySpan<byte> header) =>
        ((int)BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));

    /// <summary>CRC-32C (Castagnoli), with the CPU's CRC32 instruction where there is one.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        // Crc32C(uint, ulong) takes the eight bytes least significant first: the memory order on little-endian CPUs.
        foreach (var w in words) crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? w : BinaryPrimitives.ReverseEndianness(w));
        foreach (var b in data[(words.Length * 8)..]) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
