using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Checks basic-auth passwords against bcrypt hashes as Prometheus' exporter-toolkit does. A bcrypt comparison costs
/// tens of milliseconds by design, so only one runs at a time (a flood of wrong passwords costs at most one core) and
/// successful verifications are cached, keyed by a SHA-256 of side, user, hash and password (a changed hash or
/// password is checked afresh). Only successes: a wrong password is compared every time it is tried (the failed-login
/// limit, checked first, keeps that affordable), so random guesses cannot fill the cache and push out the users who
/// log in correctly; a success needs the password, so the cache holds about one entry per user and password in use.
/// Unknown users are compared against a dummy hash, so timing does not tell which users exist.
/// </summary>
public sealed class BcryptVerifier(AuthMetrics metrics)
{
    /// <summary>Bounds the cache should passwords change very often; past it the cache starts over.</summary>
    private const int MaxCachedSuccesses = 1024;

    /// <summary>bcrypt (cost 10) of a random password nobody knows.</summary>
    public const string DummyHash = "$2a$10$vZ0ouRNFaWZ3a0ugNUc2K.tQdJzvy6TRlqiwt9hlAHpHQnVfsHLBq";

    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async ValueTask<bool> VerifyAsync(SideCredentials side, string user, string password, CancellationToken ct)
    {
        var hash = side.HashOf(user);
        var key = CacheKey(side.Side, user, hash ?? DummyHash, password);
        if (_verified.ContainsKey(key)) return true;

        await _oneAtATime.WaitAsync(ct);
        bool ok;
        try
        {
            if (_verified.ContainsKey(key)) return true;
            ok = Compare(password, hash ?? DummyHash) && hash is not null;
            metrics.RecordBcrypt(side.Side);
        }
        finally
        {
            _oneAtATime.Release();
        }
        if (ok)
        {
            if (_verified.Count >= MaxCachedSuccesses) _verified.Clear();
            _verified[key] = 0;
        }
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
