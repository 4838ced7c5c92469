using System.Net;
using OrleansExemplars.Hosting.Security;
using Xunit;

namespace OrleansExemplars.Tests.Security;

/// <summary>The failed-login limit on its own: a token bucket per address, and bounded memory under many addresses.</summary>
public sealed class FailedLoginLimiterTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static FailedLoginLimiter Limiter(ManualClock clock, int burst = 3, int perMinute = 6, int maxClients = 10_000) =>
        new(new FailedLoginOptions { Burst = burst, PerMinute = perMinute, MaxTrackedClients = maxClients }, clock);

    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void An_address_may_fail_its_burst_then_waits_for_one_token_per_refill_interval()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock);
        for (var i = 0; i < 3; i++) Assert.True(limiter.TryAcquire(A, out _));
        Assert.False(limiter.TryAcquire(A, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter); // 6 a minute
        Assert.True(limiter.TryAcquire(B, out _)); // another address has its own bucket

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(limiter.TryAcquire(A, out retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(limiter.TryAcquire(A, out _));
        Assert.False(limiter.TryAcquire(A, out _));
    }

    [Fact]
    public void A_successful_check_gives_its_token_back()
    {
        var limiter = Limiter(new ManualClock());
        for (var i = 0; i < 100; i++)
        {
            Assert.True(limiter.TryAcquire(A, out _));
            limiter.Release(A);
        }
        for (var i = 0; i < 3; i++) Assert.True(limiter.TryAcquire(A, out _));
        Assert.False(limiter.TryAcquire(A, out _));
        limiter.Release(A); // one in flight came back right
        Assert.True(limiter.TryAcquire(A, out _));
    }

    [Fact]
    public void IPv6_clients_count_by_their_64_bit_prefix_and_mapped_IPv4_as_IPv4()
    {
        var limiter = Limiter(new ManualClock(), burst: 2);
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2::1"), out _));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:ffff::9"), out _));
        Assert.False(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:abcd::7"), out _)); // same /64: one client
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1"), out _));

        Assert.True(limiter.TryAcquire(A, out _));
        Assert.True(limiter.TryAcquire(A.MapToIPv6(), out _));
        Assert.False(limiter.TryAcquire(A, out _));
    }

    [Fact]
    public void Many_addresses_stay_within_the_table_and_share_one_bucket_past_it()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 3, perMinute: 60, maxClients: 1_000);
        var admitted = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var address = new IPAddress(BitConverter.GetBytes(0x0A000000 + i)); // 200 000 distinct IPv4 addresses
            if (limiter.TryAcquire(address, out _)) admitted++;
        }
        Assert.Equal(1_000, limiter.TrackedClients);
        // Each of the first 1 000 got its own burst's first token; the other 199 000 shared one bucket of 3.
        Assert.Equal(1_000 + 3, admitted);

        // Once the tracked buckets have refilled (3 s at 60 a minute) they are forgotten and new addresses are tracked.
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("198.51.100.7"), out _));
        Assert.Equal(1, limiter.TrackedClients);
    }

    [Fact]
    public void Burst_zero_turns_the_limit_off()
    {
        var limiter = Limiter(new ManualClock(), burst: 0);
        for (var i = 0; i < 1_000; i++) Assert.True(limiter.TryAcquire(A, out _));
        Assert.Equal(0, limiter.TrackedClients);
    }
}
