using System.Net;
using System.Net.Sockets;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Failed credential checks per client address, as a token bucket (<c>Auth:FailedLogins</c>): <c>Burst</c> failures in
/// a row, then <c>PerMinute</c> a minute. A check takes a token before it runs and gives it back when the credentials
/// were right, so concurrent guesses cannot overrun the bucket and a client that only logs in correctly never runs
/// out. An address without a token is refused before its credentials are looked at — even right ones, or a guess of
/// the right password would still be answered at full speed.
/// <para>
/// Memory is bounded: at most <c>MaxTrackedClients</c> addresses are tracked (an IPv6 client by its /64, the block
/// one host usually holds, so it cannot walk through addresses). A bucket that has refilled is forgotten; when the table
/// is full of busy buckets, every further address shares one overflow bucket, so a flood from many addresses is
/// limited as if it came from one.
/// </para>
/// </summary>
public sealed class FailedLoginLimiter
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly FailedLoginOptions _options;
    private readonly TimeProvider _time;
    private readonly double _tokensPerSecond;
    private readonly object _gate = new();
    private readonly Dictionary<UInt128, Bucket> _buckets = [];
    private readonly Bucket _overflow;
    private long _nextSweepTicks = long.MinValue;

    public FailedLoginLimiter(FailedLoginOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _tokensPerSecond = options.PerMinute / 60.0;
        _overflow = new Bucket(options.Burst, Now());
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Addresses tracked now (the overflow bucket not counted).</summary>
    public int TrackedClients
    {
        get { lock (_gate) return _buckets.Count; }
    }

    /// <summary>
    /// Takes a token for one credential check of a request from <paramref name="address"/>; false, with how long until
    /// a token is back, when the address has none left.
    /// </summary>
    public bool TryAcquire(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled) return true;
        var now = Now();
        lock (_gate)
        {
            var bucket = Find(Key(address), now, create: true)!;
            bucket.Refill(now, _options.Burst, _tokensPerSecond);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / _tokensPerSecond);
            return false;
        }
    }

    /// <summary>The check succeeded: it gives its token back (a bucket forgotten meanwhile is full anyway).</summary>
    public void Release(IPAddress? address)
    {
        if (!Enabled) return;
        var now = Now();
        lock (_gate)
        {
            if (Find(Key(address), now, create: false) is not { } bucket) return;
            bucket.Refill(now, _options.Burst, _tokensPerSecond);
            bucket.Tokens = Math.Min(_options.Burst, bucket.Tokens + 1);
        }
    }

    private Bucket? Find(UInt128 key, long now, bool create)
    {
        if (_buckets.TryGetValue(key, out var bucket)) return bucket;
        if (_buckets.Count >= _options.MaxTrackedClients && now >= _nextSweepTicks)
        {
            // Whole buckets say nothing an untracked address would not: forget them. At most once a second, so a
            // flood of new addresses into a full table costs one pass a second, not one a request.
            _nextSweepTicks = now + SweepInterval.Ticks;
            foreach (var (k, b) in _buckets)
            {
                b.Refill(now, _options.Burst, _tokensPerSecond);
                if (b.Tokens >= _options.Burst) _buckets.Remove(k);
            }
        }
        if (_buckets.Count >= _options.MaxTrackedClients) return _overflow;
        if (!create) return null;
        bucket = new Bucket(_options.Burst, now);
        _buckets.Add(key, bucket);
        return bucket;
    }

    /// <summary>IPv4 as itself, IPv6 by its /64 (IPv4-mapped ones as IPv4); the two never collide (see the low word).</summary>
    private static UInt128 Key(IPAddress? address)
    {
        if (address is null) return UInt128.MaxValue;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return new UInt128(0, (1UL << 32) | System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }
        address.TryWriteBytes(bytes, out _);
        return new UInt128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), 0);
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    private sealed class Bucket(double tokens, long updatedTicks)
    {
        public double Tokens { get; set; } = tokens;

        public void Refill(long now, int burst, double perSecond)
        {
            if (now <= updatedTicks) return;
            Tokens = Math.Min(burst, Tokens + (now - updatedTicks) / (double)TimeSpan.TicksPerSecond * perSecond);
            updatedTicks = now;
        }
    }
}
