using OrleansExemplars.Silo.Kafka;
using Xunit;

namespace OrleansExemplars.Tests.Kafka;

public sealed class PartitionOffsetTrackerTests
{
    [Fact]
    public void Nothing_is_committable_before_a_poll_is_fully_delivered()
    {
        var tracker = new PartitionOffsetTracker();
        var poll = tracker.Track(lastOffset: 9, containers: 2);
        Assert.Equal(-1, tracker.Committable);
        tracker.Delivered(poll);
        Assert.Equal(-1, tracker.Committable);
        tracker.Delivered(poll);
        Assert.Equal(10, tracker.Committable);
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void A_later_poll_delivered_first_waits_for_the_earlier_one()
    {
        var tracker = new PartitionOffsetTracker();
        var first = tracker.Track(4, 1);
        var second = tracker.Track(9, 1);
        tracker.Delivered(second);
        Assert.Equal(-1, tracker.Committable);
        tracker.Delivered(first);
        Assert.Equal(10, tracker.Committable);
    }

    [Fact]
    public void A_poll_without_containers_is_done_at_once_but_not_before_earlier_ones()
    {
        var tracker = new PartitionOffsetTracker();
        var first = tracker.Track(4, 1);
        tracker.Track(9, 0);
        Assert.Equal(-1, tracker.Committable);
        tracker.Delivered(first);
        Assert.Equal(10, tracker.Committable);
        tracker.Track(12, 0);
        Assert.Equal(13, tracker.Committable);
    }

    [Fact]
    public void Misuse_is_refused()
    {
        var tracker = new PartitionOffsetTracker();
        var poll = tracker.Track(4, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Track(4, 1));
        tracker.Delivered(poll);
        Assert.Throws<InvalidOperationException>(() => tracker.Delivered(poll));
    }
}
