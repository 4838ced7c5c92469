using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansExemplars.WriteApi.Http;

/// <summary>Request bodies of the ingest endpoints (remote write, OTLP), read under their size limit.</summary>
public static class RequestBody
{
    /// <summary>
    /// Reads at most <paramref name="max"/> + 1 bytes, so an over-long body is detected without buffering it. The buffer
    /// comes from <see cref="ArrayPool{T}.Shared"/>: return it. The server's own body limit (Kestrel's 30 MB default) is
    /// lifted for the request first: this limit, with its Prometheus-style 413, is the one that counts in either host.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAtMostAsync(HttpContext http, int max)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            serverLimit.MaxRequestBodySize = null;
        }
        var body = http.Request.Body;
        var ct = http.RequestAborted;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max) break;
                var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)max + 1));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
            var read = await body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
        }
        return (buffer, length);
    }
}
