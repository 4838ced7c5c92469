using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace OrleansExemplars.Silo.Hosting;

/// <summary>
/// Configuration section <c>Dashboard</c>: the Orleans dashboard every silo serves on its own web host. Its address
/// and port are the silo's <c>Urls</c> unless <see cref="Urls"/> gives it listeners of its own (the dashboard of
/// Orleans 10 has no listener of its own: it is a set of endpoints on the host's Kestrel, next to <c>/metrics</c> and
/// the health probes, so <see cref="DashboardListener"/> keeps it to those). This section says where it lives and how
/// it samples; who may see it is <c>Auth:Read</c>, as on the API host.
/// </summary>
public sealed partial class SiloDashboardOptions : IValidatableObject
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// Path the dashboard is served under: empty for the root of the silo's URL (the default), else
    /// <c>/segment[/segment…]</c> (letters, digits, <c>-</c>, <c>_</c>, <c>.</c>; not
    /// <c>.</c> or <c>..</c>), e.g. <c>/dashboard</c> behind a
    /// reverse proxy that routes by path.
    /// </summary>
    public string RoutePrefix { get; set; } = "";

    /// <summary>Milliseconds between counter samples (Orleans' <c>CounterUpdateIntervalMs</c>, at least 1000).</summary>
    [Range(1000, 60000, ErrorMessage = "Dashboard:CounterUpdateIntervalMs must be between {1} and {2}.")]
    public int CounterUpdateIntervalMs { get; set; } = 1000;

    /// <summary>Samples of history the charts keep (Orleans' <c>HistoryLength</c>).</summary>
    [Range(1, 10000, ErrorMessage = "Dashboard:HistoryLength must be between {1} and {2}.")]
    public int HistoryLength { get; set; } = 100;

    /// <summary>Turns off the dashboard's live log stream (its <c>Log Stream</c> page), which shows every silo's log.</summary>
    public bool HideTrace { get; set; }

    /// <summary>
    /// Listeners of the dashboard's own, <c>http://address:port</c> separated by <c>;</c> (e.g. <c>http://127.0.0.1:8081</c>;
    /// <c>http://0.0.0.0:8081</c> for every interface). The silo listens there besides <c>Urls</c> and answers the
    /// dashboard only there (404 on <c>Urls</c>); <c>/metrics</c> and the probes answer on both. Empty (the default):
    /// the dashboard is on <c>Urls</c>. The Docker image sets <c>http://127.0.0.1:8081</c>.
    /// </summary>
    public string Urls { get; set; } = "";

    /// <summary>The ports of <see cref="Urls"/> (empty when the dashboard shares <c>Urls</c>); valid after validation.</summary>
    public IReadOnlySet<int> ListenPorts() =>
        ListenUrls().Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Port : 0).Where(p => p > 0).ToHashSet();

    public IReadOnlyList<string> ListenUrls() => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Paths the silo serves itself; a prefix must not shadow them.</summary>
    private static readonly string[] Reserved = ["/metrics", "/-"];

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        foreach (var url in ListenUrls())
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp ||
                !Regex.IsMatch(url, @"^http://[^/]+:[0-9]+/?$") || uri.Port is < 1 or > 65535 ||
                !(System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _) || uri.Host == "localhost"))
            {
                yield return new ValidationResult(
                    $"Dashboard:Urls '{url}' must be http://address:port with an IP address (or localhost) and a port, e.g. http://127.0.0.1:8081; several are separated by ';'.",
                    [nameof(Urls)]);
            }
        }
        if (RoutePrefix.Length == 0) yield break;
        if (!PrefixPattern().IsMatch(RoutePrefix))
        {
            yield return new ValidationResult(
                $"Dashboard:RoutePrefix '{RoutePrefix}' must be empty or a path like /dashboard (segments of letters, digits, '-', '_' or '.', no trailing '/').",
                [nameof(RoutePrefix)]);
        }
        else if (Reserved.Any(r => RoutePrefix.Equals(r, StringComparison.OrdinalIgnoreCase) ||
                                   RoutePrefix.StartsWith(r + "/", StringComparison.OrdinalIgnoreCase)))
        {
            yield return new ValidationResult(
                $"Dashboard:RoutePrefix '{RoutePrefix}' would shadow the silo's own {string.Join(" and ", Reserved)} paths.",
                [nameof(RoutePrefix)]);
        }
    }

    [GeneratedRegex(@"^(/(?!\.+(/|$))[A-Za-z0-9_.-]+)+$")]
    private static partial Regex PrefixPattern();
}
