using Xunit;
using static OrleansExemplars.ApiHost.Proxy.ReadOnlyPrometheusApi;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>The proxy's allow-list on its own: Prometheus' read paths pass, every write, admin or odd path does not.</summary>
public sealed class ReadOnlyPrometheusApiTests
{
    [Theory]
    [InlineData("/api/v1/query")]
    [InlineData("/api/v1/query_range")]
    [InlineData("/api/v1/series")]
    [InlineData("/api/v1/labels")]
    [InlineData("/api/v1/label/__name__/values")]
    [InlineData("/api/v1/label/job/values")]
    [InlineData("/api/v1/label/U__http_2e_method/values")]
    [InlineData("/api/v1/metadata")]
    [InlineData("/api/v1/status/buildinfo")]
    [InlineData("/api/v1/status/tsdb")]
    [InlineData("/api/v1/status/runtimeinfo")]
    [InlineData("/api/v1/format_query")]
    [InlineData("/api/v1/parse_query")]
    public void The_read_api_passes_with_GET_POST_and_OPTIONS(string path)
    {
        Assert.Equal(Verdict.Allowed, Check("GET", path));
        Assert.Equal(Verdict.Allowed, Check("POST", path));
        Assert.Equal(Verdict.Allowed, Check("OPTIONS", path));
        Assert.Equal(Verdict.MethodRefused, Check("DELETE", path)); // Prometheus' DELETE /series drops series
        Assert.Equal(Verdict.MethodRefused, Check("PUT", path));
        Assert.Equal(Verdict.MethodRefused, Check("HEAD", path)); // Prometheus 2.42 answers 405 too
        Assert.Equal(Verdict.MethodRefused, Check("PATCH", path));
    }

    [Theory]
    [InlineData("/api/v1/admin/tsdb/delete_series")]      // Prometheus, VictoriaMetrics
    [InlineData("/api/v1/admin/tsdb/clean_tombstones")]
    [InlineData("/api/v1/admin/tsdb/snapshot")]
    [InlineData("/api/v1/import")]                        // VictoriaMetrics
    [InlineData("/api/v1/import/prometheus")]
    [InlineData("/api/v1/import/csv")]
    [InlineData("/api/v1/import/native")]
    [InlineData("/api/v1/export")]
    [InlineData("/api/v1/push")]                          // Mimir, Cortex
    [InlineData("/api/v1/rules/namespace")]               // Mimir's ruler configuration
    [InlineData("/api/v1/write")]
    [InlineData("/api/v1/otlp/v1/metrics")]
    [InlineData("/api/v1/read")]
    [InlineData("/api/v1/query/")]                        // a trailing slash is another path
    [InlineData("/api/v1/Query")]                         // Go's router is case-sensitive
    [InlineData("/API/V1/query")]
    [InlineData("/api/v1/query_exemplars_not_really")]
    [InlineData("/api/v1/label/job/values/extra")]
    [InlineData("/api/v1/label//values")]
    [InlineData("/api/v1/label/a%2F..%2F..%2Fadmin%2Ftsdb%2Fdelete_series/values")] // %2F stays encoded in a PathString
    [InlineData("/api/v1/label/a.b/values")]
    [InlineData("/api/v1/status/../admin")]
    [InlineData("/api/v1/status/Config")]
    [InlineData("/api/v1/status/")]
    [InlineData("/api/v1/status/a/b")]
    [InlineData("/api/v1/")]
    [InlineData("/api/v1")]
    [InlineData("/select/1/prometheus/api/v1/query")]
    public void Anything_else_is_refused_whatever_the_method(string path)
    {
        Assert.Equal(Verdict.PathRefused, Check("GET", path));
        Assert.Equal(Verdict.PathRefused, Check("POST", path));
        Assert.Equal(Verdict.PathRefused, Check("DELETE", path));
    }
}
