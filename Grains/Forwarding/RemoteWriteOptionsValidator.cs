using Microsoft.Extensions.Options;
using OrleansExemplars.Prometheus.RemoteWrite;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// Checks <see cref="RemoteWriteOptions"/> at start-up; every message names the full configuration key
/// (<c>RemoteWrite:Endpoints:0:Url must be an absolute http(s) URL…</c>). Runs after <see cref="ApplyDefaults"/>.
/// </summary>
public sealed class RemoteWriteOptionsValidator : IValidateOptions<RemoteWriteOptions>
{
    /// <summary>Headers the sender sets itself (as Prometheus' reserved remote-write headers): not configurable.</summary>
    public static readonly IReadOnlySet<string> ReservedHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Content-Encoding", "Content-Length", "Content-Type", "User-Agent", "Connection",
        "Keep-Alive", "Transfer-Encoding", "Proxy-Authenticate", "Proxy-Authorization", "WWW-Authenticate",
        "Accept-Encoding", "X-Prometheus-Remote-Write-Version",
    };

    private const long LeastQueuedBytes = 64 * 1024;
    private const long MostQueuedBytes = 1L << 40;

    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, RemoteWriteOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Gives every endpoint without a name its default (<see cref="RemoteWriteEndpointOptions.DefaultName"/>).</summary>
    public static void ApplyDefaults(RemoteWriteOptions options)
    {
        foreach (var endpoint in options.Endpoints)
        {
            if (string.IsNullOrWhiteSpace(endpoint.Name)) endpoint.Name = RemoteWriteEndpointOptions.DefaultName(endpoint.Url);
        }
    }

    /// <summary>Every problem of <paramref name="options"/>, one message each; empty when valid.</summary>
    public static List<string> Errors(RemoteWriteOptions options)
    {
        const string section = RemoteWriteOptions.SectionName;
        var errors = new List<string>();
        if (options.Shards is < 1 or > 4096)
        {
            errors.Add($"{section}:Shards must be between 1 and 4096 (is {options.Shards}).");
        }
        if (options.MaxSamplesPerSend is < 1 or > 1_000_000)
        {
            errors.Add($"{section}:MaxSamplesPerSend must be between 1 and 1000000 (is {options.MaxSamplesPerSend}).");
        }
        if (options.BatchSendDeadline < TimeSpan.FromMilliseconds(1) || options.BatchSendDeadline > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{section}:BatchSendDeadline must be between 00:00:00.001 and 00:01:00 (is {options.BatchSendDeadline}).");
        }

        if (options.MaxQueuedBytes is < LeastQueuedBytes or > MostQueuedBytes)
        {
            errors.Add($"{section}:MaxQueuedBytes must be between {LeastQueuedBytes} and {MostQueuedBytes} (is {options.MaxQueuedBytes}).");
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            var key = $"{section}:Endpoints:{i}";
            var endpoint = options.Endpoints[i];
            if (endpoint is null)
            {
                errors.Add($"{key} is empty: set at least {key}:Url.");
                continue;
            }
            ValidateEndpoint(key, endpoint, errors);
            var name = endpoint.Name ?? RemoteWriteEndpointOptions.DefaultName(endpoint.Url);
            if (string.IsNullOrWhiteSpace(name)) continue;
            if (names.TryGetValue(name, out var first))
            {
                errors.Add($"{key}:Name \"{name}\" is already the name of {section}:Endpoints:{first}: endpoint names " +
                           $"(default: host:port of the URL) must be unique; set {key}:Name.");
            }
            else
            {
                names[name] = i;
            }
        }
        return errors;
    }

    private static void ValidateEndpoint(string key, RemoteWriteEndpointOptions endpoint, List<string> errors)
    {
        if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add($"{key}:Url must be an absolute http(s) URL (is \"{WithoutSecrets(endpoint.Url)}\").");
        }
        else if (uri.UserInfo.Length > 0)
        {
            // Never repeated: user info is a password more often than not. The sender would send it in the clear too.
            errors.Add($"{key}:Url must not carry credentials (user:password@): set {key}:BasicAuthUsername and " +
                       $"{key}:BasicAuthPassword (or {key}:BasicAuthPasswordFile) instead.");
        }
        if (!Enum.IsDefined(endpoint.Protocol))
        {
            errors.Add($"{key}:Protocol must be V1 or V2.");
        }

        foreach (var (header, value) in endpoint.Headers)
        {
            if (ReservedHeaders.Contains(header))
            {
                errors.Add($"{key}:Headers:{header} is set by the remote-write sender itself and cannot be configured.");
            }
            else if (!IsValidHeader(header, value))
            {
                errors.Add($"{key}:Headers:{header} is not a valid HTTP header name and value.");
            }
        }

        var basic = !string.IsNullOrEmpty(endpoint.BasicAuthUsername) || !string.IsNullOrEmpty(endpoint.BasicAuthPassword) ||
                    !string.IsNullOrEmpty(endpoint.BasicAuthPasswordFile);
        var bearer = !string.IsNullOrEmpty(endpoint.BearerToken) || !string.IsNullOrEmpty(endpoint.BearerTokenFile);
        if (basic && bearer)
        {
            errors.Add($"{key}: at most one of basic auth ({key}:BasicAuthUsername…) and a bearer token ({key}:BearerToken or " +
                       $"{key}:BearerTokenFile) may be set.");
        }
        if (basic && string.IsNullOrEmpty(endpoint.BasicAuthUsername))
        {
            errors.Add($"{key}:BasicAuthUsername must be set when {key}:BasicAuthPassword or {key}:BasicAuthPasswordFile is.");
        }
        if (!string.IsNullOrEmpty(endpoint.BasicAuthPassword) && !string.IsNullOrEmpty(endpoint.BasicAuthPasswordFile))
        {
            errors.Add($"{key}: at most one of {key}:BasicAuthPassword and {key}:BasicAuthPasswordFile may be set.");
        }
        if (!string.IsNullOrEmpty(endpoint.BearerToken) && !string.IsNullOrEmpty(endpoint.BearerTokenFile))
        {
            errors.Add($"{key}: at most one of {key}:BearerToken and {key}:BearerTokenFile may be set.");
        }
        CheckFile($"{key}:BasicAuthPasswordFile", endpoint.BasicAuthPasswordFile, errors);
        CheckFile($"{key}:BearerTokenFile", endpoint.BearerTokenFile, errors);

        CheckDuration($"{key}:Timeout", endpoint.Timeout, MinTimeout, MaxDuration, errors);
        CheckDuration($"{key}:MinBackoff", endpoint.MinBackoff, TimeSpan.FromMilliseconds(1), MaxDuration, errors);
        CheckDuration($"{key}:MaxBackoff", endpoint.MaxBackoff, TimeSpan.FromMilliseconds(1), MaxDuration, errors);
        if (endpoint.MaxBackoff < endpoint.MinBackoff)
        {
            errors.Add($"{key}:MaxBackoff ({endpoint.MaxBackoff}) must not be less than {key}:MinBackoff ({endpoint.MinBackoff}).");
        }
        if (endpoint.MaxRetries < 0)
        {
            errors.Add($"{key}:MaxRetries must be 0 or more, or unset to retry forever (is {endpoint.MaxRetries}).");
        }
    }

    /// <summary>
    /// <paramref name="url"/> fit for an error message: without a query string or fragment (tokens ride there), and
    /// with anything before an <c>@</c> (user info) cut out.
    /// </summary>
    public static string WithoutSecrets(string? url)
    {
        if (string.IsNullOrEmpty(url)) return "";
        var text = url;
        var query = text.IndexOfAny(['?', '#']);
        if (query >= 0) text = text[..query] + "?…";
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            var scheme = text.IndexOf("://", StringComparison.Ordinal);
            var start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
            text = text[..start] + "…" + text[at..];
        }
        return text;
    }

    private static void CheckFile(string key, string? path, List<string> errors)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
        {
            errors.Add($"{key} names a file that does not exist: \"{path}\".");
        }
    }

    private static void CheckDuration(string key, TimeSpan value, TimeSpan min, TimeSpan max, List<string> errors)
    {
        if (value < min || value > max) errors.Add($"{key} must be between {min} and {max} (is {value}).");
    }

    private static bool IsValidHeader(string name, string? value)
    {
        if (string.IsNullOrEmpty(name) || value is null || value.AsSpan().ContainsAny('\r', '\n', '\0')) return false;
        using var probe = new HttpRequestMessage();
        using var content = new ByteArrayContent([]);
        return probe.Headers.TryAddWithoutValidation(name, value) || content.Headers.TryAddWithoutValidation(name, value);
    }
}
