using System.Buffers;

namespace OrleansExemplars.ApiHost.Http;

/// <summary>Request bodies of the ingest endpoints (remote write, OTLP), read under their size limit.</summary>
public static class RequestBody
{
    /// <summary>Reads at most <paramref name="max"/> + 1 bytes, so an over-long body is detected without buffering it. The buffer comes from <see cref="ArrayPool{T}.Shared"/>: return it.</summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAtMostAsync(Stream body, int max, CancellationToken ct)
    {
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
