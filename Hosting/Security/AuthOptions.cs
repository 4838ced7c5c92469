namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Configuration section <c>Auth</c>: credentials for the write side (<c>/api/v1/write</c>) and the read side (every
/// query path). A side with no credential configured is open; one with any is closed to requests without a valid one.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The realm named in <c>WWW-Authenticate: Basic realm="…"</c> and <c>Bearer realm="…"</c>.</summary>
    public string Realm { get; set; } = "OrleansExemplars";

    /// <summary>When true, <c>/metrics</c> needs a read-side credential; <c>/-/healthy</c> and <c>/-/ready</c> stay open.</summary>
    public bool ProtectMetrics { get; set; }

    public SideAuthOptions Write { get; set; } = new();

    public SideAuthOptions Read { get; set; } = new();

    /// <summary>How many failed credential checks a client address may make (both sides together).</summary>
    public FailedLoginOptions FailedLogins { get; set; } = new();

    public SideAuthOptions For(AccessSide side) => side == AccessSide.Write ? Write : Read;
}

/// <summary>
/// <c>Auth:FailedLogins</c>: a token bucket per client address, checked before any credential is (so before bcrypt).
/// A failed check uses a token, a successful one gives it back.
/// </summary>
public sealed class FailedLoginOptions
{
    /// <summary>Failed checks an address may make in a row before it must wait; 0 turns the limit off.</summary>
    public int Burst { get; set; } = 10;

    /// <summary>Failed checks an address gets back per minute once it has used its burst.</summary>
    public int PerMinute { get; set; } = 6;

    /// <summary>Addresses tracked at once (about 100 bytes each); past it, new addresses share one bucket.</summary>
    public int MaxTrackedClients { get; set; } = 10_000;

    public bool Enabled => Burst > 0;
}

/// <summary><c>Auth:Write</c> or <c>Auth:Read</c>.</summary>
public sealed class SideAuthOptions
{
    /// <summary>Accepted bearer tokens: the token itself, or <c>sha256:&lt;64 hex digits&gt;</c> of it.</summary>
    public List<string> BearerTokens { get; set; } = [];

    /// <summary>A file of bearer tokens (one a line, same forms as <see cref="BearerTokens"/>), re-read when it changes.</summary>
    public string? BearerTokensFile { get; set; }

    /// <summary>Basic-auth users: name → bcrypt hash (<c>$2y$…</c>, <c>$2a$…</c>, <c>$2b$…</c>), as in Prometheus' web config.</summary>
    public Dictionary<string, string> BasicUsers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>An htpasswd-style file (<c>user:$2y$…</c> a line, from <c>htpasswd -nbB</c>), re-read when it changes.</summary>
    public string? BasicUsersFile { get; set; }

    public bool HasBearer => BearerTokens.Count > 0 || !string.IsNullOrEmpty(BearerTokensFile);

    public bool HasBasic => BasicUsers.Count > 0 || !string.IsNullOrEmpty(BasicUsersFile);

    public bool IsProtected => HasBearer || HasBasic;
}

/// <summary>Which side of the API an endpoint belongs to.</summary>
public enum AccessSide
{
    Write,
    Read,
}
