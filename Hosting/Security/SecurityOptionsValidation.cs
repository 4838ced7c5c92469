using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Security;

/// <summary>
/// Checks <c>Auth</c> at start-up: every token well formed, every password a bcrypt hash, every file readable and
/// valid. Messages name the key (and file line), never a secret.
/// </summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Realm) || options.Realm.Any(c => c is '"' or '\\' || char.IsControl(c)))
        {
            errors.Add("Auth:Realm must be non-empty, without quotes, backslashes or control characters");
        }
        var failed = options.FailedLogins;
        if (failed.Burst is < 0 or > 100_000) errors.Add("Auth:FailedLogins:Burst must be between 0 (off) and 100000");
        if (failed.PerMinute is < 1 or > 60_000) errors.Add("Auth:FailedLogins:PerMinute must be between 1 and 60000");
        if (failed.MaxTrackedClients is < 1 or > 10_000_000) errors.Add("Auth:FailedLogins:MaxTrackedClients must be between 1 and 10000000");
        foreach (var side in new[] { AccessSide.Write, AccessSide.Read })
        {
            var o = options.For(side);
            var key = $"{AuthOptions.SectionName}:{side}";
            for (var i = 0; i < o.BearerTokens.Count; i++)
            {
                if (!CredentialParsing.TryParseToken(o.BearerTokens[i], $"{key}:BearerTokens:{i}", out _, out var error))
                {
                    errors.Add(error);
                }
            }
            foreach (var (user, hash) in o.BasicUsers)
            {
                if (!CredentialParsing.TryValidateUser(user, hash, $"{key}:BasicUsers:{user}", out var error)) errors.Add(error);
            }
            CheckFile(o.BearerTokensFile, $"{key}:BearerTokensFile", errors,
                (text, path, e) => CredentialParsing.ParseTokensFile(text, path, e));
            CheckFile(o.BasicUsersFile, $"{key}:BasicUsersFile", errors,
                (text, path, e) => CredentialParsing.ParseUsersFile(text, path, e));
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckFile(string? path, string key, List<string> errors, Action<string, string, List<string>> parse)
    {
        if (path is null) return;
        if (path.Length == 0)
        {
            errors.Add($"{key} is empty (leave it out for no file)");
            return;
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add($"{key}: cannot read '{path}' ({e.GetType().Name})");
            return;
        }
        var fileErrors = new List<string>();
        parse(text, path, fileErrors);
        errors.AddRange(fileErrors.Select(e => $"{key}: {e}"));
    }
}
