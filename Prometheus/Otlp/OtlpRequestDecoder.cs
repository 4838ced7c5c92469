using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using OrleansExemplars.Prometheus.Otlp.Proto;

namespace OrleansExemplars.Prometheus.Otlp;

/// <summary>The two OTLP/HTTP encodings.</summary>
public enum OtlpBodyFormat
{
    Protobuf,
    Json,
}

/// <summary>
/// Reads OTLP/HTTP metrics bodies: binary protobuf (<c>application/x-protobuf</c>) or OTLP/JSON
/// (<c>application/json</c>, read with Google.Protobuf's JSON parser after turning the hex <c>traceId</c>/<c>spanId</c>
/// that OTLP/JSON uses into the base64 that proto3 JSON expects), either one raw or gzip-compressed, and writes the
/// answer in the request's encoding.
/// </summary>
public static class OtlpRequestDecoder
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>The body's encoding by its media type (parameters such as <c>charset</c> ignored); null for any other.</summary>
    public static OtlpBodyFormat? Format(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        if (mediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase)) return OtlpBodyFormat.Protobuf;
        if (mediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)) return OtlpBodyFormat.Json;
        return null;
    }

    public static string UnsupportedContentType(string? contentType) =>
        $"unsupported content type \"{contentType}\": OTLP/HTTP is {ProtobufContentType} or {JsonContentType}";

    /// <summary>
    /// Decodes a body. <paramref name="contentEncoding"/> is <c>gzip</c>, or absent/<c>identity</c> for none;
    /// <paramref name="maxDecompressedBytes"/> bounds the body once decompressed.
    /// </summary>
    public static ExportMetricsServiceRequest Decode(ReadOnlyMemory<byte> body, OtlpBodyFormat format, string? contentEncoding,
        int maxDecompressedBytes)
    {
        var encoding = contentEncoding?.Trim();
        if (string.IsNullOrEmpty(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            if (body.Length > maxDecompressedBytes) throw TooLarge(body.Length, maxDecompressedBytes);
            return Parse(body.Span, format);
        }
        if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new OtlpFormatException(OtlpFormatError.UnsupportedEncoding,
                $"unsupported Content-Encoding \"{encoding}\": OTLP/HTTP bodies are gzip-compressed or not compressed");
        }
        var (buffer, length) = Gunzip(body, maxDecompressedBytes);
        try
        {
            return Parse(buffer.AsSpan(0, length), format);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The answer to an export: empty when everything was accepted, else <c>partial_success</c>.</summary>
    public static byte[] EncodeResponse(ExportMetricsServiceResponse response, OtlpBodyFormat format) =>
        format == OtlpBodyFormat.Json ? Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(response)) : response.ToByteArray();

    public static string ContentType(OtlpBodyFormat format) => format == OtlpBodyFormat.Json ? JsonContentType : ProtobufContentType;

    private static ExportMetricsServiceRequest Parse(ReadOnlySpan<byte> raw, OtlpBodyFormat format)
    {
        try
        {
            return format == OtlpBodyFormat.Protobuf ? ExportMetricsServiceRequest.Parser.ParseFrom(raw) : ParseJson(raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OtlpFormatException(OtlpFormatError.BadRequest, $"decoding OTLP metrics request: invalid protobuf: {e.Message}", e);
        }
        catch (Exception e) when (e is JsonException or InvalidJsonException or FormatException)
        {
            throw new OtlpFormatException(OtlpFormatError.BadRequest, $"decoding OTLP metrics request: invalid JSON: {e.Message}", e);
        }
    }

    private static ExportMetricsServiceRequest ParseJson(ReadOnlySpan<byte> raw)
    {
        var node = JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })
            ?? throw new OtlpFormatException(OtlpFormatError.BadRequest, "decoding OTLP metrics request: the JSON body is null");
        HexIdsToBase64(node);
        return Parser.Parse<ExportMetricsServiceRequest>(node.ToJsonString());
    }

    /// <summary>OTLP/JSON writes trace and span ids in hex, where proto3 JSON has base64 for bytes.</summary>
    private static void HexIdsToBase64(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                List<(string Name, string Base64)>? ids = null;
                foreach (var (name, value) in obj)
                {
                    if (value is null) continue;
                    if (name is "traceId" or "spanId" or "trace_id" or "span_id" && value is JsonValue v && v.TryGetValue<string>(out var hex))
                    {
                        byte[] bytes;
                        try
                        {
                            bytes = Convert.FromHexString(hex);
                        }
                        catch (FormatException)
                        {
                            throw new OtlpFormatException(OtlpFormatError.BadRequest,
                                $"decoding OTLP metrics request: exemplar {name} \"{hex}\" is not hex (OTLP/JSON writes ids in hex)");
                        }
                        (ids ??= []).Add((name, Convert.ToBase64String(bytes)));
                    }
                    else
                    {
                        HexIdsToBase64(value);
                    }
                }
                if (ids is not null)
                {
                    foreach (var (name, base64) in ids) obj[name] = base64;
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null) HexIdsToBase64(item);
                }
                break;
        }
    }

    private static (byte[] Buffer, int Length) Gunzip(ReadOnlyMemory<byte> body, int max)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max((long)body.Length * 4, 4096), (long)max + 1));
        var length = 0;
        try
        {
            using var input = new MemoryStream(body.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max) throw TooLarge(length, max, compressed: true);
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)max + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = gzip.Read(buffer, length, buffer.Length - length);
                if (read == 0) break;
                length += read;
            }
            if (length > max) throw TooLarge(length, max, compressed: true);
            return (buffer, length);
        }
        catch (InvalidDataException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new OtlpFormatException(OtlpFormatError.BadRequest, $"gzip: invalid body: {e.Message}", e);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static OtlpFormatException TooLarge(long length, int max, bool compressed = false) =>
        new(OtlpFormatError.TooLarge, compressed
            ? $"OTLP metrics request decompressed exceeds the limit of {max} bytes (Api:MaxRequestBytes)"
            : $"OTLP metrics request of {length} bytes exceeds the limit of {max} bytes (Api:MaxRequestBytes)");
}
