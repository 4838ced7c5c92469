namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Which offset of one partition may be committed: polls are tracked in order, each waiting for the containers it
/// produced to be delivered; the committable offset is the end of the longest prefix of fully delivered polls, so a
/// commit never passes a message that some stream has not received yet.
/// </summary>
public sealed class PartitionOffsetTracker
{
    private readonly Queue<Poll> _polls = new();
    private long _committable = -1;

    /// <summary>The next offset to consume once everything delivered so far is committed; -1 before any poll ends.</summary>
    public long Committable => _committable;

    /// <summary>Polls whose containers are not all delivered yet.</summary>
    public int InFlight => _polls.Count;

    /// <summary>Records a poll that read up to <paramref name="lastOffset"/> and produced <paramref name="containers"/>.</summary>
    public Poll Track(long lastOffset, int containers)
    {
        if (_polls.Count > 0 && lastOffset <= _polls.Last().LastOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(lastOffset), lastOffset, "polls must be tracked in offset order");
        }
        var poll = new Poll(lastOffset, containers);
        _polls.Enqueue(poll);
        Advance();
        return poll;
    }

    /// <summary>One container of <paramref name="poll"/> was delivered to its stream.</summary>
    public void Delivered(Poll poll)
    {
        if (poll.Pending == 0) throw new InvalidOperationException($"poll up to offset {poll.LastOffset} has no pending containers");
        poll.Pending--;
        Advance();
    }

    private void Advance()
    {
        while (_polls.Count > 0 && _polls.Peek().Pending == 0)
        {
            _committable = _polls.Dequeue().LastOffset + 1;
        }
    }

    public sealed class Poll(long lastOffset, int pending)
    {
        public long LastOffset { get; } = lastOffset;
        public int Pending { get; internal set; } = pending;
    }
}
