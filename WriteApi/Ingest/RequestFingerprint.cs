using System.Security.Cryptography;
using System.Text;

namespace OrleansExemplars.WriteApi.Ingest;

/// <summary>
/// Names a remote-write request by its content: 128 bits of SHA-256 over its content type, content encoding and body
/// bytes. A sender resends the same bytes after a 5xx (Prometheus does), so the resend gets the same name, and the
/// forwarders, which key their batches by it, wait for the batches already queued instead of queueing and sending the
/// samples a second time. A collision would make a forwarder take a different request for one it has sent, so a
/// cryptographic hash, not a fast one.
/// </summary>
public static class RequestFingerprint
{
    public static string Of(ReadOnlySpan<byte> body, string? contentType, string? contentEncoding)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{contentType}\n{contentEncoding}\n"));
        hash.AppendData(body);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
