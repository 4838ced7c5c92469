using System.Security.Cryptography;
using System.Text;

namespace OrleansExemplars.Silo.Storage;

/// <summary>
/// Turns grain types, state names and grain keys (metric names: any bytes, '/' and ':' included) into file names.
/// Only <c>[a-z0-9_-]</c> stay as they are; every other byte becomes <c>%xx</c> (lower-case hex), so a name is
/// reversible and two keys never map to names that differ only in case (macOS and Windows volumes fold case; an
/// upper-case letter is escaped too). '.' is escaped so a name can neither be "." nor ".." nor look like our
/// ".state"/".tmp" suffixes. An empty key is the lone "%", which no other key produces.
/// </summary>
public static class GrainFileNames
{
    /// <summary>
    /// Longest encoded name kept whole. Well under the usual 255-byte NAME_MAX so that the suffixes fit and
    /// eCryptfs-style file systems (143 bytes) work too.
    /// </summary>
    public const int MaxEncodedLength = 128;

    /// <summary>Marks a shortened name: prefix ~ hash. '~' is outside the encoder's alphabet.</summary>
    private const char HashSeparator = '~';

    /// <summary>Hex digits of SHA-256 kept (128 bits): collisions are out of reach, and the file header has the full identity anyway.</summary>
    private const int HashHexLength = 32;

    public static string Encode(string value) => Encode(Encoding.UTF8.GetBytes(value));

    public static string Encode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return "%";
        var encoded = new StringBuilder(utf8.Length);
        foreach (var b in utf8)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'-') encoded.Append((char)b);
            else encoded.Append('%').Append(HexLower[b >> 4]).Append(HexLower[b & 0xF]);
        }
        if (encoded.Length <= MaxEncodedLength) return encoded.ToString();

        // Too long for a file name: keep a readable prefix (cut between escapes, never inside one) and make it unique
        // with a hash of the whole key.
        var keep = MaxEncodedLength - 1 - HashHexLength;
        if (keep >= 1 && encoded[keep - 1] == '%') keep -= 1;
        else if (keep >= 2 && encoded[keep - 2] == '%') keep -= 2;
        var hash = Convert.ToHexStringLower(SHA256.HashData(utf8))[..HashHexLength];
        return string.Concat(encoded.ToString(0, keep), HashSeparator.ToString(), hash);
    }

    /// <summary>The bytes a name stands for, or null for a shortened (hashed) name, whose key only the file's header holds.</summary>
    public static byte[]? Decode(string name)
    {
        if (name == "%") return [];
        if (name.Contains(HashSeparator)) return null;
        var bytes = new List<byte>(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '%')
            {
                bytes.Add((byte)name[i]);
                continue;
            }
            if (i + 2 >= name.Length) throw new FormatException($"'{name}' ends inside an escape");
            bytes.Add(Convert.ToByte(name.Substring(i + 1, 2), 16));
            i += 2;
        }
        return bytes.ToArray();
    }

    public static string? DecodeString(string name) => Decode(name) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    private const string HexLower = "0123456789abcdef";
}
