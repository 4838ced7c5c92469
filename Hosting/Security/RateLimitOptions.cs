namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Configuration section <c>RateLimit</c>: an optional token bucket per client (its credential when the side has
/// auth, else its remote address), separately for the write and the read side.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    public SideRateLimitOptions Write { get; set; } = new();

    public SideRateLimitOptions Read { get; set; } = new();

    public SideRateLimitOptions For(AccessSide side) => side == AccessSide.Write ? Write : Read;
}

/// <summary><c>RateLimit:Write</c> or <c>RateLimit:Read</c>.</summary>
internal sealed class SideRateLimitOptions
{
    /// <summary>Requests a client may make per second on average; 0 (the default) turns the limit off.</summary>
    public int PermitsPerSecond { get; set; }

    /// <summary>Requests a client may make at once after being idle (the bucket's size); 0 means <see cref="PermitsPerSecond"/>.</summary>
    public int Burst { get; set; }

    public bool Enabled => PermitsPerSecond > 0;

    public int BucketSize => Burst > 0 ? Burst : PermitsPerSecond;
}
