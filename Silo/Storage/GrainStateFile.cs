using System.Buffers.Binary;
using OrleansExemplars.Grains.Wal;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// The layout of one <see cref="FileGrainStorage"/> file: a header naming the grain and holding the state's ETag,
/// then the serialized state (the payload).
/// </summary>
/// <remarks>
/// Version 2 (written): <c>"OEGS" 2 | etag (16) | state name, grain type, grain key (each u16 LE length + bytes) |
/// payload length (i32 LE) | CRC-32C of the payload (u32 LE) | CRC-32C of the header before it (u32 LE) | payload</c>.
/// Two checksums so neither the header nor the payload is copied to be summed. Version 1 (no checksums) is still read:
/// state written before it loads, and is written as version 2 on the grain's next write. The identity makes a file
/// self-describing: hashed (shortened) names stay reversible, and a misplaced file is caught.
/// </remarks>
public static class GrainStateFile
{
    public const int ETagBytes = 16;

    private const int MagicBytes = 5;

    /// <summary>Magic and ETag, the same in every version: all a write reads to check the ETag.</summary>
    public const int PrefixBytes = MagicBytes + ETagBytes;

    private static ReadOnlySpan<byte> MagicV1 => "OEGS\u0001"u8;
    private static ReadOnlySpan<byte> MagicV2 => "OEGS\u0002"u8;

    /// <summary>The version 2 header of a file holding <paramref name="payload"/>; the payload follows it unchanged.</summary>
    public static byte[] Header(Guid etag, ReadOnlySpan<byte> stateName, ReadOnlySpan<byte> grainType, ReadOnlySpan<byte> grainKey,
        ReadOnlySpan<byte> payload)
    {
        var header = new byte[PrefixBytes + 6 + stateName.Length + grainType.Length + grainKey.Length + 4 + 4 + 4];
        var span = header.AsSpan();
        MagicV2.CopyTo(span);
        etag.TryWriteBytes(span.Slice(MagicBytes, ETagBytes));
        var at = PrefixBytes;
        WritePart(span, ref at, stateName);
        WritePart(span, ref at, grainType);
        WritePart(span, ref at, grainKey);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], WalFrame.Crc32C(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 8)..], WalFrame.Crc32C(span[..(at + 8)]));
        return header;
    }

    private static void WritePart(Span<byte> header, ref int at, ReadOnlySpan<byte> part)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(header[at..], checked((ushort)part.Length));
        part.CopyTo(header[(at + 2)..]);
        at += 2 + part.Length;
    }

    /// <summary>The ETag of a file from its first <see cref="PrefixBytes"/> bytes (or fewer, if the file is shorter).</summary>
    /// <exception cref="GrainStateFileFormatException">Not the start of a grain state file.</exception>
    public static Guid ReadETag(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < PrefixBytes) throw new GrainStateFileFormatException($"{prefix.Length} bytes is too short for a grain state file");
        if (!prefix[..MagicBytes].SequenceEqual(MagicV1) && !prefix[..MagicBytes].SequenceEqual(MagicV2))
        {
            throw new GrainStateFileFormatException("not a grain state file of a known version (bad magic)");
        }
        return new Guid(prefix.Slice(MagicBytes, ETagBytes));
    }

    /// <summary>
    /// Checks a whole file read for the grain <paramref name="grainType"/>/<paramref name="grainKey"/>'s state
    /// <paramref name="stateName"/> and returns its ETag and where its payload starts (it runs to the end).
    /// </summary>
    /// <exception cref="GrainStateFileFormatException">Damaged, of an unknown version, or another grain's.</exception>
    public static (Guid ETag, int PayloadOffset) Read(ReadOnlySpan<byte> file, ReadOnlySpan<byte> stateName,
        ReadOnlySpan<byte> grainType, ReadOnlySpan<byte> grainKey)
    {
        var etag = ReadETag(file);
        var checksummed = file[..MagicBytes].SequenceEqual(MagicV2);
        Span<Range> identity = stackalloc Range[3];
        var at = PrefixBytes;
        for (var i = 0; i < identity.Length; i++)
        {
            if (file.Length - at < 2) throw Truncated(file.Length);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(file[at..]);
            if (file.Length - at - 2 < length) throw Truncated(file.Length);
            identity[i] = new Range(at + 2, at + 2 + length);
            at += 2 + length;
        }
        var trailer = checksummed ? 12 : 4;
        if (file.Length - at < trailer) throw Truncated(file.Length);
        // Before the identity is compared: a flipped bit there is damage, not a file of another grain.
        if (checksummed && WalFrame.Crc32C(file[..(at + 8)]) != BinaryPrimitives.ReadUInt32LittleEndian(file[(at + 8)..]))
        {
            throw new GrainStateFileFormatException("the header fails its CRC-32C check: the stored bytes were damaged");
        }
        if (!file[identity[0]].SequenceEqual(stateName) || !file[identity[1]].SequenceEqual(grainType) || !file[identity[2]].SequenceEqual(grainKey))
        {
            throw new GrainStateFileFormatException("the file holds the state of another grain (its header names another)");
        }
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(file[at..]);
        var payloadOffset = at + trailer;
        if (payloadLength < 0 || file.Length - payloadOffset != payloadLength)
        {
            throw new GrainStateFileFormatException(
                $"the file is truncated or overlong: {file.Length - payloadOffset} payload bytes where its header says {payloadLength}");
        }
        if (checksummed && WalFrame.Crc32C(file[payloadOffset..]) != BinaryPrimitives.ReadUInt32LittleEndian(file[(at + 4)..]))
        {
            throw new GrainStateFileFormatException("the payload fails its CRC-32C check: the stored bytes were damaged");
        }
        return (etag, payloadOffset);
    }

    private static GrainStateFileFormatException Truncated(int length) =>
        new($"the file is truncated: {length} bytes end inside its header");
}
