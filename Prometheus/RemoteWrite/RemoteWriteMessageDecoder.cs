using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Prometheus.RemoteWrite;

/// <summary>
/// Decodes one remote-write message taken off a queue (a Kafka record value), where the content type and encoding
/// travel as optional record headers rather than as HTTP headers, so the encoding may have to be recognised from the
/// bytes.
/// </summary>
public static class RemoteWriteMessageDecoder
{
    private const string V1What = "remote write 1.0 WriteRequest";

    private static readonly Format<WriteRequest> V1Protobuf = new(
        WriteRequest.Parser, V1What,
        // A raw WriteRequest starts with the tag of timeseries (1, length-delimited) or metadata (3).
        Tags: [0x0A, 0x1A],
        HasContent: static r => r.Timeseries.Count > 0 || r.Metadata.Count > 0,
        OtherHint: static raw =>
        {
            var other = V2.Request.Parser.ParseFrom(raw);
            return other.Timeseries.Count > 0 || other.Symbols.Count > 0
                ? "it looks like a remote write 2.0 Request: send it with the content type " +
                  RemoteWriteDecoder.V2ContentType
                : null;
        });

    private static readonly Format<V2.Request> V2Format = new(
        V2.Request.Parser, "remote write 2.0 Request",
        // A raw Request starts with the tag of symbols (4, length-delimited) or timeseries (5).
        Tags: [0x22, 0x2A],
        HasContent: static r => r.Timeseries.Count > 0 || r.Symbols.Count > 0,
        OtherHint: static raw =>
        {
            var other = WriteRequest.Parser.ParseFrom(raw);
            return other.Timeseries.Count > 0 || other.Metadata.Count > 0
                ? "it looks like a remote write 1.0 WriteRequest: send it without proto=" + RemoteWriteDecoder.V2Proto +
                  " in the content type"
                : null;
        });

    /// <summary>
    /// Decodes and validates one message.
    /// <list type="bullet">
    /// <item><paramref name="contentType"/> with <c>proto=io.prometheus.write.v2.Request</c> means remote write 2.0,
    /// anything else (or none) 1.0.</item>
    /// <item><paramref name="contentEncoding"/> <c>snappy</c> means a snappy block, <c>identity</c> raw protobuf; when
    /// absent, the form is recognised from the first byte (a raw message starts with the tag of one of its fields)
    /// and the other form is tried if the likelier one fails.</item>
    /// <item>An empty value is an empty request.</item>
    /// </list>
    /// A message that parses but holds none of the expected message's fields (only unknown ones) is refused, so a
    /// 2.0 message without its content type, say, is not read as an empty 1.0 one.
    /// </summary>
    /// <exception cref="RemoteWriteFormatException">
    /// Nothing of the message can be read: <see cref="RemoteWriteFormatError.BadSnappy"/>,
    /// <see cref="RemoteWriteFormatError.BadProtobuf"/>, <see cref="RemoteWriteFormatError.TooLarge"/> (over
    /// <paramref name="maxDecompressedBytes"/> once decompressed), <see cref="RemoteWriteFormatError.UnsupportedEncoding"/>.
    /// When the encoding was recognised and both forms fail, the error is the likelier form's and the message gives
    /// both reasons.
    /// </exception>
    /// <param name="forwardAsBlock">
    /// Keep a 1.0 request whole for the forwarders (<see cref="DecodedWrite.Block"/>) when it can be forwarded as sent.
    /// </param>
    public static DecodedWrite Decode(ReadOnlySpan<byte> value, string? contentType, string? contentEncoding,
        int maxDecompressedBytes, bool forwardAsBlock = false, SeriesLimits? limits = null)
    {
        limits ??= SeriesLimits.Default;
        if (RemoteWriteDecoder.IsV2ContentType(contentType))
        {
            return WriteRequestV2Reader.Read(Decode(value, contentEncoding, maxDecompressedBytes, V2Format.What,
                V2Format.Tags, V2Format.Read), limits);
        }
        var form = forwardAsBlock ? RemoteWriteV1Reader.ForwardForm.Block : RemoteWriteV1Reader.ForwardForm.Series;
        return Decode(value, contentEncoding, maxDecompressedBytes, V1What, V1Protobuf.Tags,
            raw => ReadV1Checked(raw, form, limits));
    }

    /// <summary>
    /// Remote write 1.0 is read straight from the wire format by <see cref="RemoteWriteV1Reader"/>; only a message of
    /// unknown fields alone goes through Google.Protobuf, for <see cref="CheckContent{T}"/>'s error and its hint.
    /// </summary>
    private static DecodedWrite ReadV1Checked(ReadOnlySpan<byte> raw, RemoteWriteV1Reader.ForwardForm form,
        SeriesLimits limits)
    {
        var result = RemoteWriteV1Reader.Read(raw, V1What, out var content, form, limits);
        if (content == RemoteWriteV1Reader.MessageContent.OnlyUnknownFields)
        {
            CheckContent(RemoteWriteDecoder.DecodeProtobuf(raw, V1Protobuf.Parser, V1What), V1Protobuf);
        }
        return result;
    }

    private static T Decode<T>(ReadOnlySpan<byte> value, string? contentEncoding, int maxDecompressedBytes,
        string what, byte[] tags, RemoteWriteDecoder.SpanReader<T> read)
    {
        var encoding = contentEncoding?.Trim();
        var snappy = encoding is not null && encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase);
        var identity = encoding is not null && encoding.Equals("identity", StringComparison.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(encoding) && !snappy && !identity)
        {
            throw RemoteWriteDecoder.UnsupportedEncoding(encoding);
        }
        // An empty message has no fields at all, known or not: an empty request.
        if (value.IsEmpty) return read(ReadOnlySpan<byte>.Empty);
        if (snappy) return RemoteWriteDecoder.DecodeSnappy(value, maxDecompressedBytes, read, what);
        if (identity) return RemoteWriteDecoder.DecodeRaw(value, maxDecompressedBytes, read, what);

        var rawFirst = Array.IndexOf(tags, value[0]) >= 0;
        RemoteWriteFormatException first;
        try
        {
            return rawFirst
                ? RemoteWriteDecoder.DecodeRaw(value, maxDecompressedBytes, read, what)
                : RemoteWriteDecoder.DecodeSnappy(value, maxDecompressedBytes, read, what);
        }
        catch (RemoteWriteFormatException e)
        {
            first = e;
        }
        try
        {
            return rawFirst
                ? RemoteWriteDecoder.DecodeSnappy(value, maxDecompressedBytes, read, what)
                : RemoteWriteDecoder.DecodeRaw(value, maxDecompressedBytes, read, what);
        }
        catch (RemoteWriteFormatException second)
        {
            var (rawError, snappyError) = rawFirst ? (first, second) : (second, first);
            throw new RemoteWriteFormatException(first.Error,
                $"message has no content encoding and is neither a raw nor a snappy-compressed {what}: " +
                $"as raw protobuf: {rawError.Message}; as snappy: {snappyError.Message}", first);
        }
    }


    /// <summary>
    /// Refuses a message made only of fields the expected message does not have: protobuf skips unknown fields, so
    /// the wrong message (or garbage that happens to parse) would otherwise be read as an empty request.
    /// </summary>
    private static T CheckContent<T>(T message, Format<T> format) where T : IMessage<T>
    {
        // CalculateSize counts the unknown fields a parsed message keeps.
        if (format.HasContent(message) || message.CalculateSize() == 0) return message;
        string? hint;
        try
        {
            hint = format.OtherHint(message.ToByteArray());
        }
        catch (InvalidProtocolBufferException)
        {
            hint = null;
        }
        throw new RemoteWriteFormatException(RemoteWriteFormatError.BadProtobuf,
            $"decoding {format.What}: the message holds none of its fields, only unknown ones; " +
            (hint ?? "is it a remote write message?"));
    }

    private sealed record Format<T>(
        MessageParser<T> Parser, string What, byte[] Tags, Func<T, bool> HasContent, Func<byte[], string?> OtherHint)
        where T : IMessage<T>
    {
        /// <summary>Google.Protobuf's parse, refusing a message of unknown fields alone.</summary>
        public RemoteWriteDecoder.SpanReader<T> Read => raw => CheckContent(RemoteWriteDecoder.DecodeProtobuf(raw, Parser, What), this);
    }
}
