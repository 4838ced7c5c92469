using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// A label value of exactly 32 or 16 lowercase hex digits (the W3C form of a trace id or span id, which nearly every
/// exemplar carries) held as 128 bits instead of a string: 16 bytes rather than 88 (32 UTF-16 chars plus the string
/// header). Only the lowercase form is packed, so <see cref="ToString()"/> gives back the exact original string; any
/// other value (uppercase digits, other lengths, other characters) does not pack and stays a string.
/// </summary>
/// <remarks>
/// Digits are big-endian: the first character is the high nibble of <see cref="High"/>. A 16-digit value lives in
/// <see cref="Low"/> with <see cref="High"/> zero; the length is part of the value, so "00…0" + 16 digits and those 16
/// digits alone are different values.
/// </remarks>
public readonly struct HexLabelValue : IEquatable<HexLabelValue>
{
    public const int LongDigits = 32;
    public const int ShortDigits = 16;

    private HexLabelValue(ulong high, ulong low, bool isShort)
    {
        High = high;
        Low = low;
        IsShort = isShort;
    }

    public ulong High { get; }

    public ulong Low { get; }

    /// <summary>16 digits rather than 32.</summary>
    public bool IsShort { get; }

    public int Digits => IsShort ? ShortDigits : LongDigits;

    /// <summary>The value with <paramref name="high"/>, <paramref name="low"/> and the length as stored elsewhere.</summary>
    public static HexLabelValue FromParts(ulong high, ulong low, bool isShort)
    {
        if (isShort && high != 0) throw new ArgumentOutOfRangeException(nameof(high), "a 16-digit value has no high half");
        return new HexLabelValue(high, low, isShort);
    }

    /// <summary>
    /// Packs <paramref name="value"/> if it is exactly 32 or 16 characters, each one of <c>0-9a-f</c>; without
    /// allocating, in a few nanoseconds (it runs on every append).
    /// </summary>
    public static bool TryPack(ReadOnlySpan<char> value, out HexLabelValue packed) =>
        Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian
            ? TryPackVector(value, out packed)
            : TryPackScalar(value, out packed);

    /// <summary>Eight characters per vector: ASCII checked, narrowed to bytes, digits checked and turned into nibbles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryPackVector(ReadOnlySpan<char> value, out HexLabelValue packed)
    {
        packed = default;
        // Also what keeps the loads below inside the span.
        if (value.Length != LongDigits && value.Length != ShortDigits) return false;
        ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(value));
        var c0 = Vector128.LoadUnsafe(ref chars);
        var c1 = Vector128.LoadUnsafe(ref chars, 8);
        var nonAscii = Vector128.Create((ushort)0xFF80);
        if (value.Length == ShortDigits)
        {
            if (((c0 | c1) & nonAscii) != Vector128<ushort>.Zero) return false;
            if (!TryNibbles(Vector128.Narrow(c0, c1), out var n)) return false;
            packed = new HexLabelValue(0, Combine(n), true);
            return true;
        }

        var c2 = Vector128.LoadUnsafe(ref chars, 16);
        var c3 = Vector128.LoadUnsafe(ref chars, 24);
        if (((c0 | c1 | c2 | c3) & nonAscii) != Vector128<ushort>.Zero) return false;
        if (!TryNibbles(Vector128.Narrow(c0, c1), out var high) || !TryNibbles(Vector128.Narrow(c2, c3), out var low)) return false;
        packed = new HexLabelValue(Combine(high), Combine(low), false);
        return true;
    }

    /// <summary>The same as <see cref="TryPackVector"/> one character at a time, for hardware without vectors.</summary>
    internal static bool TryPackScalar(ReadOnlySpan<char> value, out HexLabelValue packed)
    {
        packed = default;
        if (value.Length != LongDigits && value.Length != ShortDigits) return false;
        ulong high = 0, low = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            int nibble;
            if ((uint)(c - '0') < 10) nibble = c - '0';
            else if ((uint)(c - 'a') < 6) nibble = c - 'a' + 10;
            else return false;
            high = (high << 4) | (low >> 60);
            low = (low << 4) | (uint)nibble;
        }
        packed = new HexLabelValue(high, low, value.Length == ShortDigits);
        return true;
    }

    /// <summary>Sixteen ASCII characters to their digit values, or false if one is not one of <c>0-9a-f</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryNibbles(Vector128<byte> chars, out Vector128<byte> nibbles)
    {
        var digit = chars - Vector128.Create((byte)'0');
        var letter = chars - Vector128.Create((byte)'a');
        var isDigit = Vector128.LessThan(digit, Vector128.Create((byte)10));
        var isLetter = Vector128.LessThan(letter, Vector128.Create((byte)6));
        nibbles = Vector128.ConditionalSelect(isDigit, digit, letter + Vector128.Create((byte)10));
        return (isDigit | isLetter) == Vector128<byte>.AllBitsSet;
    }

    /// <summary>Sixteen nibbles, first one most significant, to a ulong.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Combine(Vector128<byte> nibbles)
    {
        // Little-endian pairs: the low byte of each ushort is the high nibble of the byte it makes.
        var pairs = nibbles.AsUInt16();
        var bytes = ((pairs & Vector128.Create((ushort)0xFF)) << 4) | (pairs >>> 8);
        return BinaryPrimitives.ReverseEndianness(Vector128.Narrow(bytes, bytes).AsUInt64().ToScalar());
    }

    /// <summary>The exact string that was packed: <see cref="Digits"/> lowercase hex digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[LongDigits / 2];
        return Convert.ToHexStringLower(bytes[..WriteBigEndian(bytes)]);
    }

    /// <summary>The value as <see cref="Digits"/>/2 big-endian bytes; returns that count.</summary>
    private int WriteBigEndian(Span<byte> bytes)
    {
        if (IsShort)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, Low);
            return ShortDigits / 2;
        }
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return LongDigits / 2;
    }

    /// <summary>
    /// Writes <see cref="ToString()"/>'s digits as UTF-8 (one byte each) without allocating; false if
    /// <paramref name="utf8"/> is shorter than <see cref="Digits"/>.
    /// </summary>
    public bool TryWriteUtf8(Span<byte> utf8, out int bytesWritten)
    {
        Span<byte> bytes = stackalloc byte[LongDigits / 2];
        var n = WriteBigEndian(bytes);
        return Convert.TryToHexStringLower(bytes[..n], utf8, out bytesWritten);
    }

    public bool Equals(HexLabelValue other) => High == other.High && Low == other.Low && IsShort == other.IsShort;

    public override bool Equals(object? obj) => obj is HexLabelValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(High, Low, IsShort);

    public static bool operator ==(HexLabelValue left, HexLabelValue right) => left.Equals(right);

    public static bool operator !=(HexLabelValue left, HexLabelValue right) => !left.Equals(right);
}
