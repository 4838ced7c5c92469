using System.Text.RegularExpressions;

namespace OrleansExemplars.ApiHost.Proxy;

/// <summary>
/// Which requests the proxy passes to the TSDB: the read API of Prometheus' <c>web/api/v1/api.go</c> and nothing else,
/// because the upstream gets this host's own credentials and every reader may call the proxy. Admin, import, push, rule
/// and delete APIs (Prometheus' <c>admin/tsdb/*</c>, VictoriaMetrics' <c>import</c>, Mimir's <c>push</c>) are refused,
/// whatever the upstream is. Paths are compared exactly, case-sensitively as Go's router does, on the path as it
/// will be forwarded: an encoded slash (<c>%2F</c>, which a Go server decodes into a separator) never matches.
/// </summary>
public static partial class ReadOnlyPrometheusApi
{
    public const string Prefix = "/api/v1/";

    /// <summary>Prometheus answers GET and POST on its read paths, and OPTIONS (CORS) everywhere; HEAD is 405 there too.</summary>
    public const string AllowedMethods = "GET, POST, OPTIONS";

    public const string Description =
        "query, query_range, series, labels, label/<name>/values, metadata, status/<page>, format_query, parse_query";

    private static readonly HashSet<string> ExactPaths = new(StringComparer.Ordinal)
    {
        "query", "query_range", "series", "labels", "metadata", "format_query", "parse_query",
    };

    public enum Verdict
    {
        Allowed,
        PathRefused,
        MethodRefused,
    }

    public static Verdict Check(string method, string requestPath)
    {
        if (!IsReadPath(requestPath)) return Verdict.PathRefused;
        return HttpMethods.IsGet(method) || HttpMethods.IsPost(method) || HttpMethods.IsOptions(method)
            ? Verdict.Allowed
            : Verdict.MethodRefused;
    }

    public static bool IsReadPath(string requestPath)
    {
        if (!requestPath.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = requestPath[Prefix.Length..];
        return ExactPaths.Contains(rest) || LabelValues().IsMatch(rest) || StatusPage().IsMatch(rest);
    }

    /// <summary>A label name, or one escaped as Prometheus 3 does for UTF-8 names (<c>U__…</c>): never a <c>%</c>, <c>/</c> or dot.</summary>
    [GeneratedRegex("^label/[A-Za-z_][A-Za-z0-9_]*/values$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValues();

    /// <summary>buildinfo, config, flags, runtimeinfo, tsdb, walreplay (and whatever later versions add by the same rule).</summary>
    [GeneratedRegex("^status/[a-z_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusPage();
}
