namespace OrleansExemplars.Prometheus.Otlp;

public enum OtlpFormatError
{
    /// <summary>Not a readable OTLP metrics request (bad protobuf, JSON, gzip or id): 400.</summary>
    BadRequest,

    /// <summary>Neither <c>application/x-protobuf</c> nor <c>application/json</c>: 415.</summary>
    UnsupportedContentType,

    /// <summary>A <c>Content-Encoding</c> other than gzip: 415.</summary>
    UnsupportedEncoding,

    /// <summary>Over the size limit once decompressed: 413.</summary>
    TooLarge,
}

/// <summary>An OTLP/HTTP body that cannot be read at all; nothing of it can be kept.</summary>
public sealed class OtlpFormatException(OtlpFormatError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public OtlpFormatError Error { get; } = error;
}
