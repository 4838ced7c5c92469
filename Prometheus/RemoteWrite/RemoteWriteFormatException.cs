namespace OrleansExemplars.Prometheus.RemoteWrite;

public enum RemoteWriteFormatError
{
    BadSnappy,
    BadProtobuf,
    TooLarge,
    UnsupportedEncoding,
}

/// <summary>A remote-write body that cannot be decoded at all; nothing of it can be kept.</summary>
public sealed class RemoteWriteFormatException(RemoteWriteFormatError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public RemoteWriteFormatError Error { get; } = error;
}
