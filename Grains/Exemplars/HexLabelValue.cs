using System.Buffers;
using System.Buffers.Binary;

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

    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

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
    /// allocating.
    /// </summary>
    public static bool TryPack(ReadOnlySpan<char> value, out HexLabelValue packed)
    {
        packed = default;
        if (value.Length != LongDigits && value.Length != ShortDigits) return false;
        // Checked first and vectorised; it also rules out the uppercase digits FromHexString would accept.
        if (value.ContainsAnyExcept(LowercaseHex)) return false;

        Span<byte> bytes = stackalloc byte[LongDigits / 2];
        var digits = bytes[..(value.Length / 2)];
        if (Convert.FromHexString(value, digits, out _, out _) != OperationStatus.Done) return false;
        packed = value.Length == LongDigits
            ? new HexLabelValue(BinaryPrimitives.ReadUInt64BigEndian(digits), BinaryPrimitives.ReadUInt64BigEndian(digits[8..]), false)
            : new HexLabelValue(0, BinaryPrimitives.ReadUInt64BigEndian(digits), true);
        return true;
    }

    /// <summary>The exact string that was packed: <see cref="Digits"/> lowercase hex digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[LongDigits / 2];
        if (IsShort)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, Low);
            return Convert.ToHexStringLower(bytes[..8]);
        }
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return Convert.ToHexStringLower(bytes);
    }

    public bool Equals(HexLabelValue other) => High == other.High && Low == other.Low && IsShort == other.IsShort;

    public override bool Equals(object? obj) => obj is HexLabelValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(High, Low, IsShort);

    public static bool operator ==(HexLabelValue left, HexLabelValue right) => left.Equals(right);

    public static bool operator !=(HexLabelValue left, HexLabelValue right) => !left.Equals(right);
}
