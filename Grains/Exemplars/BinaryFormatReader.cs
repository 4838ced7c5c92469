using System.Buffers.Binary;
using System.Text;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// Reads what a <see cref="System.IO.BinaryWriter"/> writes (7-bit encoded integers, length-prefixed UTF-8 strings,
/// little-endian numbers) from bytes that may be damaged: every length and count is checked against the bytes left
/// before anything is allocated for it, and every problem is one exception, made by the decoder that owns the format
/// (<see cref="ExemplarRingSnapshot"/>, <see cref="Wal.WalExemplarRecord"/>), so a caller catches one type.
/// </summary>
internal ref struct BinaryFormatReader(ReadOnlySpan<byte> data, Func<string, Exception> error)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly ReadOnlySpan<byte> Rest => _data[_position..];

    public readonly Exception Error(string message) => error($"{message} (at byte {_position} of {_data.Length})");

    public byte Byte()
    {
        Need(1);
        return _data[_position++];
    }

    public uint UInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public double Double()
    {
        Need(8);
        var value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    /// <summary><c>Read7BitEncodedInt</c>, refusing negative values (no length, count or index is negative).</summary>
    public int Int()
    {
        var value = Long(maxBytes: 5);
        if (value is < 0 or > int.MaxValue) throw Error($"7-bit encoded integer {value} out of range");
        return (int)value;
    }

    /// <summary><c>Read7BitEncodedInt64</c>: at most ten bytes, the tenth carrying only the top bit.</summary>
    public long Long() => Long(maxBytes: 10);

    private long Long(int maxBytes)
    {
        ulong result = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            var b = Byte();
            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (i == 9 && b > 1) throw Error("7-bit encoded integer longer than 64 bits");
                return (long)result;
            }
        }
        throw Error($"7-bit encoded integer longer than {maxBytes} bytes");
    }

    /// <summary>A count of items each taking at least <paramref name="minBytesEach"/> bytes, so it cannot exceed what is left.</summary>
    public int Count(int minBytesEach, string what)
    {
        var count = Int();
        if (count > Remaining / minBytesEach) throw Error($"{count} {what} cannot fit in the {Remaining} bytes left");
        return count;
    }

    /// <summary>An index into a table of <paramref name="length"/> entries.</summary>
    public int Index(int length, string what)
    {
        var index = Int();
        if (index >= length) throw Error($"{what} {index} is outside its table of {length}");
        return index;
    }

    /// <summary><c>BinaryReader.ReadString</c> with UTF-8, refusing bytes that are not valid UTF-8 (the writers never write such).</summary>
    public string String()
    {
        var length = Int();
        Need(length);
        string value;
        try
        {
            value = StrictUtf8.GetString(_data.Slice(_position, length));
        }
        catch (DecoderFallbackException)
        {
            throw Error("string is not valid UTF-8");
        }
        _position += length;
        return value;
    }

    public readonly void ExpectEnd()
    {
        if (_position != _data.Length) throw error($"{_data.Length - _position} bytes after the end (at byte {_position} of {_data.Length})");
    }

    private readonly void Need(int bytes)
    {
        if (bytes > _data.Length - _position) throw error($"ends early: {bytes} more bytes needed at byte {_position} of {_data.Length}");
    }
}
