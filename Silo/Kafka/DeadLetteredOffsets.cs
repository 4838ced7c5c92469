namespace OrleansExemplars.Silo.Kafka;

/// <summary>
/// Offsets of one partition whose message the dead-letter topic already holds, from a poll that failed afterwards
/// (a later dead letter could not be sent, say). The poll is read again from its first message; these are not sent a
/// second time. Forgotten once a poll that covers them succeeds.
/// </summary>
public sealed class DeadLetteredOffsets
{
    private readonly HashSet<long> _offsets = [];

    public int Count => _offsets.Count;

    public void Add(long offset) => _offsets.Add(offset);

    public bool Contains(long offset) => _offsets.Contains(offset);

    /// <summary>A poll up to <paramref name="lastOffset"/> succeeded: nothing at or before it will be read again.</summary>
    public void ForgetThrough(long lastOffset)
    {
        if (_offsets.Count > 0) _offsets.RemoveWhere(o => o <= lastOffset);
    }
}
