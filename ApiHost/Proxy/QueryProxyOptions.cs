using System.ComponentModel.DataAnnotations;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// Configuration section <c>Query</c>: the TSDB that answers every Prometheus API path except the exemplar query
/// and remote write. Checked at start by <see cref="QueryProxyOptionsValidator"/>.
/// </summary>
public sealed class QueryProxyOptions
{
    public const string SectionName = "Query";

    /// <summary>Marks where a VictoriaMetrics cluster URL takes the tenant (<c>/select/{tenant}/prometheus</c>).</summary>
    public const string TenantPlaceholder = "{tenant}";

    /// <summary>
    /// Base URL of the Prometheus-compatible TSDB (<c>http://victoriametrics:8428</c>, or with a path prefix such as
    /// <c>http://vmselect:8481/select/0/prometheus</c>): <c>/api/v1/query</c> is sent to
    /// <c>{UpstreamUrl}/api/v1/query</c>. Unset or empty: those paths answer 404. The path may hold
    /// <see cref="TenantPlaceholder"/>, filled per request from <see cref="TenantHeader"/>.
    /// </summary>
    public string? UpstreamUrl { get; set; }

    /// <summary>
    /// The request header that names the caller's tenant (<c>X-Scope-OrgID</c> for Mimir and Cortex, <c>THANOS-TENANT</c>
    /// for Thanos). Unset (the default): no tenant reaches the upstream, whatever the caller sends, so a reader cannot
    /// pick a tenant. Set: that header is passed on as sent, and when <see cref="UpstreamUrl"/> holds
    /// <see cref="TenantPlaceholder"/> its value (VictoriaMetrics' <c>accountID[:projectID]</c>) goes into the path.
    /// </summary>
    public string? TenantHeader { get; set; }

    /// <summary>
    /// How long the upstream may stay silent (before its headers, or between two reads of its body) before the client
    /// gets 504.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Query:UpstreamTimeout must be between {1} and {2}.")]
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sent to the upstream as <c>Authorization: Bearer …</c>. Never logged.</summary>
    public string? UpstreamBearerToken { get; set; }

    /// <summary>Basic auth user for the upstream (with <see cref="UpstreamPassword"/>).</summary>
    public string? UpstreamUsername { get; set; }

    /// <summary>Basic auth password for the upstream. Never logged.</summary>
    public string? UpstreamPassword { get; set; }

    /// <summary>Whether a TSDB is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(UpstreamUrl);

    public bool HasTenantHeader => !string.IsNullOrWhiteSpace(TenantHeader);

    public bool HasTenantPath => UpstreamUrl?.Contains(TenantPlaceholder, StringComparison.Ordinal) == true;
}
