using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using Snappier;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Turns remote-write bodies (snappy block or raw protobuf) into 1.0 <see cref="WriteRequest"/>s or 2.0
/// <see cref="V2.Request"/>s.
/// </summary>
public static class RemoteWriteDecoder
{
    public const int DefaultMaxDecompressedBytes = 32 * 1024 * 1024;

    /// <summary>The <c>proto</c> parameter of a remote-write 2.0 content type.</summary>
    public const string V2Proto = "io.prometheus.write.v2.Request";

    /// <summary>The content type a remote-write 2.0 sender sends.</summary>
    public const string V2ContentType = "application/x-protobuf;proto=" + V2Proto;

    private const string V1What = "remote write request";
    private const string V2What = "remote write 2.0 request";

    /// <summary>
    /// True when <paramref name="contentType"/> has the parameter <c>proto=io.prometheus.write.v2.Request</c>
    /// (case-insensitive, quotes and spaces allowed, media type optional, as a queue header may be terse); false for no
    /// content type, 1.0's <c>prometheus.WriteRequest</c>, or no <c>proto</c> parameter, all of which mean 1.0.
    /// </summary>
    public static bool IsV2ContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        foreach (var parameter in contentType.Split(';'))
        {
            var eq = parameter.IndexOf('=');
            if (eq < 0 || !parameter.AsSpan(0, eq).Trim().Equals("proto", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parameter.AsSpan(eq + 1).Trim().Trim('"').Trim();
            if (value.Equals(V2Proto, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>
    /// Why an HTTP receiver refuses <paramref name="contentType"/> (answered with 415), or null when it is a remote-write
    /// 1.0 or 2.0 protobuf: no content type (1.0, as senders before the spec), <c>application/x-protobuf</c> with no
    /// <c>proto</c> parameter or <c>proto=prometheus.WriteRequest</c> (1.0), or <c>proto=io.prometheus.write.v2.Request</c>.
    /// </summary>
    public static string? UnsupportedContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var parts = contentType.Split(';');
        var mediaType = parts[0].Trim();
        if (!mediaType.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return $"unsupported content type \"{contentType}\": remote write is application/x-protobuf " +
                   $"(proto=prometheus.WriteRequest or proto={V2Proto})";
        }
        foreach (var parameter in parts.Skip(1))
        {
            var eq = parameter.IndexOf('=');
            if (eq < 0 || !parameter.AsSpan(0, eq).Trim().Equals("proto", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parameter[(eq + 1)..].Trim().Trim('"').Trim();
            if (!value.Equals("prometheus.WriteRequest", StringComparison.OrdinalIgnoreCase) &&
                !value.Equals(V2Proto, StringComparison.OrdinalIgnoreCase))
            {
                return $"unsupported remote write message \"{value}\": this receiver takes prometheus.WriteRequest (1.0) and {V2Proto} (2.0)";
            }
        }
        return null;
    }

    /// <summary>
    /// Decodes and validates a remote-write body of either version, as chosen by <paramref name="contentType"/>
    /// (see <see cref="IsV2ContentType"/>), with <see cref="DecodeHttpBody"/>'s encoding rules. Without
    /// <paramref name="forwarding"/> a 1.0 body's samples-only series are validated and counted but not kept
    /// (<see cref="DecodedWrite.Forward"/> stays empty): nothing would send them.
    /// </summary>
    public static DecodedWrite ReadHttpBody(ReadOnlySpan<byte> body, string? contentType, string? contentEncoding,
        int maxDecompressedBytes, bool forwarding = true, SeriesLimits? limits = null)
    {
        limits ??= SeriesLimits.Default;
        if (IsV2ContentType(contentType))
        {
            return WriteRequestV2Reader.Read(DecodeHttpBodyV2(body, contentEncoding, maxDecompressedBytes), limits);
        }
        // Remote write 1.0 is read straight from the wire format (RemoteWriteV1Reader), not through Google.Protobuf;
        // without forwarding, samples-only series are validated and counted but not kept.
        var form = forwarding ? RemoteWriteV1Reader.ForwardForm.Series : RemoteWriteV1Reader.ForwardForm.None;
        return DecodeHttpBody(body, contentEncoding, maxDecompressedBytes,
            raw => RemoteWriteV1Reader.Read(raw, V1What, out _, form, limits), V1What);
    }

    /// <summary>
    /// Decodes a body as an HTTP remote-write receiver must: <c>Content-Encoding</c> absent or <c>snappy</c> means snappy
    /// block format (the spec's only encoding; Prometheus ignores the header and always un-snappies), <c>identity</c>
    /// means raw protobuf.
    /// </summary>
    public static WriteRequest DecodeHttpBody(ReadOnlySpan<byte> body, string? contentEncoding, int maxDecompressedBytes) =>
        DecodeHttpBody(body, contentEncoding, maxDecompressedBytes, WriteRequest.Parser, V1What);

    /// <summary><see cref="DecodeHttpBody"/> for a remote-write 2.0 body.</summary>
    public static V2.Request DecodeHttpBodyV2(ReadOnlySpan<byte> body, string? contentEncoding, int maxDecompressedBytes) =>
        DecodeHttpBody(body, contentEncoding, maxDecompressedBytes, V2.Request.Parser, V2What);

    public static WriteRequest DecodeSnappy(ReadOnlySpan<byte> compressed, int maxDecompressedBytes) =>
        DecodeSnappy(compressed, maxDecompressedBytes, WriteRequest.Parser, V1What);

    public static V2.Request DecodeSnappyV2(ReadOnlySpan<byte> compressed, int maxDecompressedBytes) =>
        DecodeSnappy(compressed, maxDecompressedBytes, V2.Request.Parser, V2What);

    public static WriteRequest DecodeProtobuf(ReadOnlySpan<byte> raw) => DecodeProtobuf(raw, WriteRequest.Parser, V1What);

    public static V2.Request DecodeProtobufV2(ReadOnlySpan<byte> raw) => DecodeProtobuf(raw, V2.Request.Parser, V2What);

    /// <summary>Encodes a request as a remote-write 1.0 HTTP body (snappy block).</summary>
    public static byte[] EncodeSnappy(WriteRequest request) => Snappy.CompressToArray(request.ToByteArray());

    /// <summary>Encodes a request as a remote-write 2.0 HTTP body (snappy block).</summary>
    public static byte[] EncodeSnappy(V2.Request request) => Snappy.CompressToArray(request.ToByteArray());

    private static T DecodeHttpBody<T>(ReadOnlySpan<byte> body, string? contentEncoding, int maxDecompressedBytes,
        MessageParser<T> parser, string what) where T : IMessage<T> =>
        DecodeHttpBody(body, contentEncoding, maxDecompressedBytes, raw => DecodeProtobuf(raw, parser, what), what);

    private static T DecodeHttpBody<T>(ReadOnlySpan<byte> body, string? contentEncoding, int maxDecompressedBytes,
        SpanReader<T> parser, string what)
    {
        var encoding = contentEncoding?.Trim();
        if (string.IsNullOrEmpty(encoding) || encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeSnappy(body, maxDecompressedBytes, parser, what);
        }
        if (encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeRaw(body, maxDecompressedBytes, parser, what);
        }
        throw UnsupportedEncoding(encoding);
    }

    internal static T DecodeRaw<T>(ReadOnlySpan<byte> raw, int maxDecompressedBytes, MessageParser<T> parser,
        string what) where T : IMessage<T> =>
        DecodeRaw(raw, maxDecompressedBytes, r => DecodeProtobuf(r, parser, what), what);

    internal static T DecodeSnappy<T>(ReadOnlySpan<byte> compressed, int maxDecompressedBytes, MessageParser<T> parser,
        string what) where T : IMessage<T> =>
        DecodeSnappy(compressed, maxDecompressedBytes, raw => DecodeProtobuf(raw, parser, what), what);

    /// <summary>Reads a decoded (uncompressed) message; throws <see cref="RemoteWriteFormatException"/> if it cannot.</summary>
    internal delegate T SpanReader<out T>(ReadOnlySpan<byte> raw);

    internal static T DecodeRaw<T>(ReadOnlySpan<byte> raw, int maxDecompressedBytes, SpanReader<T> parser, string what)
    {
        if (raw.Length > maxDecompressedBytes) throw TooLarge(what, raw.Length, maxDecompressedBytes);
        return parser(raw);
    }

    internal static T DecodeSnappy<T>(ReadOnlySpan<byte> compressed, int maxDecompressedBytes, SpanReader<T> parser,
        string what)
    {
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(compressed);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw BadSnappy(e);
        }
        // A length of 2^31 or more comes back negative: corrupt, not empty.
        if (length < 0) throw BadSnappy($"the block announces {(uint)length} bytes");
        // The block header announces the decompressed size, so an oversized body is refused before it is inflated.
        if (length > maxDecompressedBytes) throw TooLarge(what, length, maxDecompressedBytes);

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
                throw BadSnappy(e);
            }
            // Fewer bytes than announced: the block was cut or damaged, and what came out is not the message.
            if (written != length) throw BadSnappy($"the block announces {length} bytes and holds {written}");
            return parser(buffer.AsSpan(0, written));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static T DecodeProtobuf<T>(ReadOnlySpan<byte> raw, MessageParser<T> parser, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RemoteWriteFormatException(RemoteWriteFormatError.BadProtobuf,
                $"decoding {what}: invalid protobuf: {e.Message}", e);
        }
    }

    internal static RemoteWriteFormatException UnsupportedEncoding(string encoding) =>
        new(RemoteWriteFormatError.UnsupportedEncoding,
            $"unsupported Content-Encoding \"{encoding}\": remote write uses snappy");

    private static RemoteWriteFormatException BadSnappy(Exception e) =>
        new(RemoteWriteFormatError.BadSnappy, "snappy: corrupt input", e);

    private static RemoteWriteFormatException BadSnappy(string reason) =>
        new(RemoteWriteFormatError.BadSnappy, $"snappy: corrupt input: {reason}");

    private static RemoteWriteFormatException TooLarge(string what, long length, int max) =>
        new(RemoteWriteFormatError.TooLarge,
            $"{what} of {length} bytes decompressed exceeds the limit of {max} bytes");
}
