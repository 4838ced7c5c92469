using OrleansExemplars.Silo.Kafka;
using Xunit;

namespace OrleansExemplars.Tests.Kafka;

public sealed class ReceiverBackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(10);

    [Fact]
    public void Delays_double_per_failure_up_to_the_cap_each_jittered_to_half_or_more()
    {
        var backoff = new ReceiverBackoff(First, Cap);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var full = Math.Min(First.TotalMilliseconds * Math.Pow(2, attempt), Cap.TotalMilliseconds);
            var delay = backoff.Failed(nowMs: 0).TotalMilliseconds;
            Assert.InRange(delay, full / 2, full);
            Assert.Equal(attempt + 1, backoff.ConsecutiveFailures);
        }
    }

    [Fact]
    public void It_waits_until_the_delay_has_passed_and_a_success_ends_the_wait()
    {
        var backoff = new ReceiverBackoff(First, Cap);
        Assert.False(backoff.IsWaiting(1_000));
        var delay = (long)backoff.Failed(1_000).TotalMilliseconds;
        Assert.True(backoff.IsWaiting(1_000));
        Assert.True(backoff.IsWaiting(1_000 + delay - 1));
        Assert.False(backoff.IsWaiting(1_000 + delay));

        backoff.Failed(5_000);
        backoff.Succeeded();
        Assert.False(backoff.IsWaiting(5_000));
        Assert.Equal(0, backoff.ConsecutiveFailures);
        Assert.InRange(backoff.Failed(6_000).TotalMilliseconds, First.TotalMilliseconds / 2, First.TotalMilliseconds);
    }
}

public sealed class DeadLetteredOffsetsTests
{
    [Fact]
    public void Offsets_are_remembered_until_a_poll_through_them_succeeds()
    {
        var offsets = new DeadLetteredOffsets();
        offsets.Add(4);
        offsets.Add(9);
        Assert.True(offsets.Contains(4));
        Assert.False(offsets.Contains(5));

        offsets.ForgetThrough(6);
        Assert.False(offsets.Contains(4));
        Assert.True(offsets.Contains(9));
        offsets.ForgetThrough(9);
        Assert.Equal(0, offsets.Count);
    }
}
