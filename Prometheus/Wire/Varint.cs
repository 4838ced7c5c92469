using System.Numerics;
using System.Runtime.CompilerServices;

namespace OrleansExemplars.Prometheus.Wire;

/// <summary>
/// Protobuf's base-128 varint, as every writer here writes it (the remote-write writers, the label wire form, the
/// WAL records): seven bits a byte, least significant first, the high bit set on every byte but the last.
/// Readers of untrusted input check bounds themselves (<c>RemoteWriteV1Reader</c>); <see cref="ReadTrusted"/> is for
/// bytes this process wrote.
/// </summary>
public static class Varint
{
    /// <summary>The longest varint: a 64-bit value.</summary>
    public const int MaxLength = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Size(ulong value) => BitOperations.Log2(value | 1) / 7 + 1;

    /// <summary>Writes <paramref name="value"/> at <paramref name="pos"/>, which moves past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> output, ref int pos, ulong value)
    {
        while (value >= 0x80)
        {
            output[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }
        output[pos++] = (byte)value;
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="output"/>; returns its length.</summary>
    public static int Write(Span<byte> output, ulong value)
    {
        var pos = 0;
        Write(output, ref pos, value);
        return pos;
    }

    /// <summary>Reads a varint of well-formed bytes (this process wrote them) at <paramref name="pos"/>, which moves past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ReadTrusted(ReadOnlySpan<byte> data, ref int pos)
    {
        var result = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[pos++];
            result |= (b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
    }
}
