using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OrleansExemplars.ApiHost.Security;

/// <summary>
/// Checks basic-auth passwords against bcrypt hashes as Prometheus' exporter-toolkit does: a bcrypt comparison costs
/// tens of milliseconds by design, so results are cached (keyed by a SHA-256 of user, hash and password, so a changed
/// hash or password is checked afresh) and only one comparison runs at a time — a flood of wrong passwords costs at
/// most one core. Unknown users are compared against a dummy hash, so timing does not tell which users exist.
/// </summary>
public sealed class BcryptVerifier
{
    private const int MaxCachedResults = 4096;

    /// <summary>bcrypt (cost 10) of a random password nobody knows.</summary>
    public const string DummyHash = "$2a$10$vZ0ouRNFaWZ3a0ugNUc2K.tQdJzvy6TRlqiwt9hlAHpHQnVfsHLBq";

    private readonly ConcurrentDictionary<string, bool> _results = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async ValueTask<bool> VerifyAsync(SideCredentials side, string user, string password, CancellationToken ct)
    {
        var hash = side.HashOf(user);
        var key = CacheKey(side.Side, user, hash ?? DummyHash, password);
        if (_results.TryGetValue(key, out var cached)) return cached;

        await _oneAtATime.WaitAsync(ct);
        bool ok;
        try
        {
            if (_results.TryGetValue(key, out cached)) return cached;
            ok = Compare(password, hash ?? DummyHash) && hash is not null;
        }
        finally
        {
            _oneAtATime.Release();
        }
        if (_results.Count >= MaxCachedResults) _results.Clear();
        _results[key] = ok;
        return ok;
    }

    private static bool Compare(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false; // validated at start and on reload, so not expected
        }
    }

    private static string CacheKey(AccessSide side, string user, string hash, string password)
    {
        var bytes = Encoding.UTF8.GetBytes($"{side}\0{user}\0{hash}\0{password}");
        try
        {
            return Convert.ToBase64String(SHA256.HashData(bytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
