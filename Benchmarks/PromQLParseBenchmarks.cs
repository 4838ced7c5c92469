using BenchmarkDotNet.Attributes;
using OrleansExemplars.Prometheus.PromQL;

namespace OrleansExemplars.Benchmarks;

/// <summary>
/// What every query_exemplars request pays before it reaches a grain: parsing the PromQL (lexer, parser, type check)
/// and extracting its selectors. Queries as Grafana sends them for an exemplar panel.
/// </summary>
[MemoryDiagnoser]
public class PromQLParseBenchmarks
{
    private const string Selector = "http_request_duration_seconds_bucket{job=\"api\",le=\"0.5\"}";
    private const string Quantile = "histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket{job=\"api\",handler=~\"/api/.+\"}[5m])))";
    private const string Binary =
        "sum(rate(http_requests_total{code=~\"5..\"}[5m])) by (service) / ignoring(code) sum(rate(http_requests_total[5m])) by (service) > 0.01 " +
        "or on(service) label_replace(up{job=\"api\"} == 0, \"service\", \"$1\", \"instance\", \"(.*):.*\")";

    [Benchmark(Description = "ParseExpr, one selector with 2 matchers")]
    public object Parse_selector() => PromQLParser.ParseExpr(Selector);

    [Benchmark(Description = "ParseExpr, histogram_quantile(sum by (rate(…[5m]))) with a regex")]
    public object Parse_histogram_quantile() => PromQLParser.ParseExpr(Quantile);

    [Benchmark(Description = "ParseExpr, binary ops + label_replace (3 selectors)")]
    public object Parse_binary() => PromQLParser.ParseExpr(Binary);

    [Benchmark(Description = "ExtractSelectors, histogram_quantile query (what query_exemplars does)")]
    public int Extract_selectors() => PromQLParser.ExtractSelectors(Quantile).Count;
}
