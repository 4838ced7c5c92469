namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// What the handlers below the sender need to know about a remote-write request, carried in its
/// <see cref="HttpRequestMessage.Options"/>: the sizes (for the retried counters) and the attempts made so far.
/// One per <see cref="RemoteWriteSender.SendAsync"/> call; its attempts run one after another.
/// </summary>
internal sealed class RemoteWriteRequestState(int samples, int exemplars, CancellationToken callerToken)
{
    public static readonly HttpRequestOptionsKey<RemoteWriteRequestState> Key = new("OrleansExemplars.RemoteWrite");

    public int Samples { get; } = samples;

    public int Exemplars { get; } = exemplars;

    /// <summary>The caller's token: an attempt cancelled by it is not a failed attempt.</summary>
    public CancellationToken CallerToken { get; } = callerToken;

    public int Attempts { get; set; }

    public static RemoteWriteRequestState? Of(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Key, out var state) ? state : null;
}
