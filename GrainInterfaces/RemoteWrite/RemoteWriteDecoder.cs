using System.IO;
using Google.Protobuf;
using Snappier;
using OrleansExemplars.GrainInterfaces.RemoteWrite.V1;

namespace OrleansExemplars.GrainInterfaces.RemoteWrite;

/// <summary>Turns remote-write 1.0 bodies (snappy block or raw protobuf) into <see cref="WriteRequest"/>s.</summary>
public static class RemoteWriteDecoder
{
    public const int DefaultMaxDecompressedBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Decodes a body as an HTTP remote-write receiver must: <c>Content-Encoding</c> absent or <c>snappy</c> means snappy
    /// block format (the spec's only encoding; Prometheus ignores the header and always un-snappies), <c>identity</c>
    /// means raw protobuf.
    /// </summary>
    public static WriteRequest DecodeHttpBody(ReadOnlySpan<byte> body, string? contentEncoding, int maxDecompressedBytes)
    {
        var encoding = contentEncoding?.Trim();
        if (string.IsNullOrEmpty(encoding) || encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeSnappy(body, maxDecompressedBytes);
        }
        if (encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            if (body.Length > maxDecompressedBytes) throw TooLarge(body.Length, maxDecompressedBytes);
            return DecodeProtobuf(body);
        }
        throw new RemoteWriteFormatException(RemoteWriteFormatError.UnsupportedEncoding,
            $"unsupported Content-Encoding \"{encoding}\": remote write uses snappy");
    }

    public static WriteRequest DecodeSnappy(ReadOnlySpan<byte> compressed, int maxDecompressedBytes)
    {
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(compressed);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new RemoteWriteFormatException(RemoteWriteFormatError.BadSnappy, "snappy: corrupt input", e);
        }
        // The block header announces the decompressed size, so an oversized body is refused before it is inflated.
        if (length > maxDecompressedBytes) throw TooLarge(length, maxDecompressedBytes);

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int written;
            try
            {
                written = Snappy.Decompress(compressed, buffer);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                throw new RemoteWriteFormatException(RemoteWriteFormatError.BadSnappy, "snappy: corrupt input", e);
            }
            return DecodeProtobuf(buffer.AsSpan(0, written));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static WriteRequest DecodeProtobuf(ReadOnlySpan<byte> raw)
    {
        try
        {
            return WriteRequest.Parser.ParseFrom(raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RemoteWriteFormatException(RemoteWriteFormatError.BadProtobuf,
                $"decoding remote write request: invalid protobuf: {e.Message}", e);
        }
    }

    /// <summary>Encodes a request as a remote-write 1.0 HTTP body (snappy block).</summary>
    public static byte[] EncodeSnappy(WriteRequest request) => Snappy.CompressToArray(request.ToByteArray());

    private static RemoteWriteFormatException TooLarge(long length, int max) =>
        new(RemoteWriteFormatError.TooLarge,
            $"remote write request of {length} bytes decompressed exceeds the limit of {max} bytes");
}
