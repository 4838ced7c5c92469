using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Reads the configured forms of credentials. Error messages name the key, file and line, never the secret.
/// </summary>
public static partial class CredentialParsing
{
    public const string Sha256Prefix = "sha256:";

    /// <summary>Modular-crypt bcrypt as Prometheus' web config takes it: <c>$2y$10$</c> + 22 salt + 31 hash characters.</summary>
    [GeneratedRegex(@"^\$2[abxy]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex BcryptHash();

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Hex();

    public static bool IsBcryptHash(string? value) => value is not null && BcryptHash().IsMatch(value);

    /// <summary>SHA-256 of a token: tokens are compared as hashes, in constant time, whatever their length.</summary>
    public static byte[] HashToken(ReadOnlySpan<char> token)
    {
        var bytes = Encoding.UTF8.GetBytes(token.ToArray());
        try
        {
            return SHA256.HashData(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>A configured token entry (the token, or <c>sha256:hex</c>) as the SHA-256 it is compared by.</summary>
    public static bool TryParseToken(string? entry, string where, out byte[] hash, out string error)
    {
        hash = [];
        error = "";
        if (string.IsNullOrWhiteSpace(entry))
        {
            error = $"{where} is empty";
            return false;
        }
        if (entry.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase))
        {
            var hex = entry[Sha256Prefix.Length..];
            if (!Sha256Hex().IsMatch(hex))
            {
                error = $"{where} starts with '{Sha256Prefix}' but is not followed by 64 hex digits";
                return false;
            }
            hash = Convert.FromHexString(hex);
            return true;
        }
        if (entry.Trim().Length != entry.Length)
        {
            error = $"{where} has leading or trailing white space (a token cannot)";
            return false;
        }
        hash = HashToken(entry);
        return true;
    }

    public static bool TryValidateUser(string? user, string? hash, string where, out string error)
    {
        error = "";
        if (string.IsNullOrEmpty(user) || user.Contains(':'))
        {
            error = $"{where}: a user name must be non-empty and cannot contain ':'";
            return false;
        }
        if (!IsBcryptHash(hash))
        {
            error = $"{where}: the password of user '{user}' must be a bcrypt hash ($2y$/$2a$/$2b$, cost 04–31, " +
                "60 characters; e.g. from 'htpasswd -nbBC 10 user password'), not a password or another hash";
            return false;
        }
        return true;
    }

    /// <summary>A tokens file: one token a line; blank lines and lines starting with '#' are skipped.</summary>
    public static List<byte[]> ParseTokensFile(string text, string path, List<string> errors)
    {
        var tokens = new List<byte[]>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            if (TryParseToken(line, $"{path} line {lineNumber}", out var hash, out var error)) tokens.Add(hash);
            else errors.Add(error);
        }
        return tokens;
    }

    /// <summary>An htpasswd file: <c>user:$2y$…</c> a line; blank lines and lines starting with '#' are skipped.</summary>
    public static Dictionary<string, string> ParseUsersFile(string text, string path, List<string> errors)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':');
            var where = $"{path} line {lineNumber}";
            if (colon <= 0)
            {
                errors.Add($"{where}: expected 'user:bcrypt-hash'");
                continue;
            }
            var user = line[..colon];
            var hash = line[(colon + 1)..];
            if (TryValidateUser(user, hash, where, out var error)) users[user] = hash;
            else errors.Add(error);
        }
        return users;
    }
}
