using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace OrleansExemplars.Silo.Hosting;

/// <summary>
/// Configuration section <c>Dashboard</c>: the Orleans dashboard every silo serves on its own web host. Its address
/// and port are the silo's <c>Urls</c> (the dashboard of Orleans 10 has no listener of its own: it is a set of
/// endpoints on the host's Kestrel, next to <c>/metrics</c> and the health probes); this section says where on that
/// host it lives and how it samples.
/// </summary>
public sealed partial class DashboardSettings : IValidatableObject
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

    /// <summary>Paths the silo serves itself; a prefix must not shadow them.</summary>
    private static readonly string[] Reserved = ["/metrics", "/-"];

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
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
