using System.Security.Cryptography;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// One side's accepted credentials: configured bearer tokens and basic users, plus those of its files (re-read on
/// change). Tokens are held only as SHA-256 hashes and compared in constant time.
/// </summary>
public sealed class SideCredentials
{
    private readonly byte[][] _configTokens;
    private readonly Dictionary<string, string> _configUsers;
    private readonly ReloadingFile<List<byte[]>>? _tokensFile;
    private readonly ReloadingFile<Dictionary<string, string>>? _usersFile;

    public SideCredentials(AccessSide side, SideAuthOptions options, ILogger logger, TimeProvider time)
    {
        Side = side;
        HasBearer = options.HasBearer;
        HasBasic = options.HasBasic;
        _configTokens = options.BearerTokens
            .Select(t => CredentialParsing.TryParseToken(t, "token", out var hash, out _) ? hash : null)
            .OfType<byte[]>()
            .ToArray();
        _configUsers = new Dictionary<string, string>(options.BasicUsers, StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.BearerTokensFile))
        {
            var path = options.BearerTokensFile;
            _tokensFile = new ReloadingFile<List<byte[]>>(path,
                (text, errors) => CredentialParsing.ParseTokensFile(text, path, errors), [], logger, time);
        }
        if (!string.IsNullOrEmpty(options.BasicUsersFile))
        {
            var path = options.BasicUsersFile;
            _usersFile = new ReloadingFile<Dictionary<string, string>>(path,
                (text, errors) => CredentialParsing.ParseUsersFile(text, path, errors), [], logger, time);
        }
    }

    public AccessSide Side { get; }

    public bool HasBearer { get; }

    public bool HasBasic { get; }

    /// <summary>
    /// Whether <paramref name="token"/> is accepted; on success <paramref name="id"/> names it without revealing it
    /// (the first 12 hex digits of its SHA-256), for rate-limit partitions and logs.
    /// </summary>
    public bool TryMatchToken(ReadOnlySpan<char> token, out string id)
    {
        var presented = CredentialParsing.HashToken(token);
        var found = false;
        // Every candidate is compared, each in constant time: the answer's timing says nothing about which matched.
        foreach (var candidate in _configTokens) found |= CryptographicOperations.FixedTimeEquals(candidate, presented);
        if (_tokensFile is not null)
        {
            foreach (var candidate in _tokensFile.Current) found |= CryptographicOperations.FixedTimeEquals(candidate, presented);
        }
        id = found ? "token:" + Convert.ToHexStringLower(presented)[..12] : "";
        return found;
    }

    /// <summary>The bcrypt hash of <paramref name="user"/>; a user named in the file wins over the configuration.</summary>
    public string? HashOf(string user)
    {
        if (_usersFile is not null && _usersFile.Current.TryGetValue(user, out var fromFile)) return fromFile;
        return _configUsers.GetValueOrDefault(user);
    }
}
