using OrleansExemplars.Prometheus.PromQL;
using Xunit;
using static OrleansExemplars.Tests.PromQL.PromQLTestHelpers;

namespace OrleansExemplars.Tests.PromQL;

public class SelectorExtractionTests
{
    // Expected selectors, each as its sorted matchers; the selectors of an expression are compared as a multiset.
    [Theory]
    [InlineData("rate(x[5m])", "{__name__=\"x\"}")]
    [InlineData("histogram_quantile(0.9, sum by (le)(rate(x_bucket{job=\"a\"}[5m])))", "{__name__=\"x_bucket\", job=\"a\"}")]
    [InlineData("sum without(a)(x)", "{__name__=\"x\"}")]
    [InlineData("sum(x{a=\"1\"}) by (job, instance,)", "{__name__=\"x\", a=\"1\"}")]
    [InlineData("max_over_time(rate(x{a=\"b\"}[1m])[10m:])", "{__name__=\"x\", a=\"b\"}")]
    [InlineData("rate(x[5m:30s] offset 1m)", "{__name__=\"x\"}")]
    [InlineData("x offset -5m", "{__name__=\"x\"}")]
    [InlineData("x @ start() offset 1h", "{__name__=\"x\"}")]
    [InlineData("rate(x[5m] offset 1h @ end())", "{__name__=\"x\"}")]
    [InlineData("x{a=~\"b\"}[5m] @ 100 offset 1m", "{__name__=\"x\", a=~\"b\"}")]
    [InlineData("label_replace(up{job=\"a\"}, \"dst\", \"$1\", \"src\", \"(.*)\")", "{__name__=\"up\", job=\"a\"}")]
    [InlineData("label_join(up, \"dst\", \",\", \"a\", \"b\", \"c\")", "{__name__=\"up\"}")]
    [InlineData("a + on(b) group_left(c) d", "{__name__=\"a\"} ; {__name__=\"d\"}")]
    [InlineData("a * ignoring(b, c) group_right d", "{__name__=\"a\"} ; {__name__=\"d\"}")]
    [InlineData("a and on() b or c unless ignoring(x) d", "{__name__=\"a\"} ; {__name__=\"b\"} ; {__name__=\"c\"} ; {__name__=\"d\"}")]
    [InlineData("a > bool 1", "{__name__=\"a\"}")]
    [InlineData("((((x))))", "{__name__=\"x\"}")]
    [InlineData("{__name__=~\"x.*\"}", "{__name__=~\"x.*\"}")]
    [InlineData("{__name__=~\"x.*\", job!=\"\"}", "{__name__=~\"x.*\", job!=\"\"}")]
    [InlineData("foo{a=\"b\",}", "{__name__=\"foo\", a=\"b\"}")]
    [InlineData("foo{a!=\"b\", c=~\"d.*\", e!~\"f|g\"}", "{__name__=\"foo\", a!=\"b\", c=~\"d.*\", e!~\"f|g\"}")]
    [InlineData("{a=\"日本語\", b=~\"é|ü\"}", "{a=\"日本語\", b=~\"é|ü\"}")]
    [InlineData("{a=\"\\u00e9\\x41\\101\"}", "{a=\"éAA\"}")]
    [InlineData("{a=\"\\\\\", b='\\'', c=`\\d+`}", "{a=\"\\\", b=\"'\", c=\"\\d+\"}")]
    [InlineData("sum(x # comment )\n)", "{__name__=\"x\"}")]
    [InlineData("x\n  +\n  y # trailing", "{__name__=\"x\"} ; {__name__=\"y\"}")]
    [InlineData("x + 0x1F + 1e3 + .5 + Inf - NaN", "{__name__=\"x\"}")]
    [InlineData("a:b:c{d=\"e\"}", "{__name__=\"a:b:c\", d=\"e\"}")]
    [InlineData("by + offset + sum + and + start + end + without", "{__name__=\"and\"} ; {__name__=\"by\"} ; {__name__=\"end\"} ; {__name__=\"offset\"} ; {__name__=\"start\"} ; {__name__=\"sum\"} ; {__name__=\"without\"}")]
    [InlineData("offset offset 5m", "{__name__=\"offset\"}")]
    [InlineData("sum by (group_left, on, bool, offset) (x)", "{__name__=\"x\"}")]
    [InlineData("count_values(\"v\", x{y=\"z\"})", "{__name__=\"x\", y=\"z\"}")]
    [InlineData("topk(5, x) by (job)", "{__name__=\"x\"}")]
    [InlineData("absent(nonexistent{job=\"x\"})", "{__name__=\"nonexistent\", job=\"x\"}")]
    [InlineData("x[1y2w3d4h5m6s7ms]", "{__name__=\"x\"}")]
    [InlineData("-x", "{__name__=\"x\"}")]
    [InlineData("x[5m a]", "{__name__=\"x\"}")]
    [InlineData("x and x", "{__name__=\"x\"} ; {__name__=\"x\"}")]
    public void ExtractsSelectors(string expr, string expected)
    {
        Assert.Equal(expected.Split(" ; ").Order(StringComparer.Ordinal), SelectorSet(expr));
    }

    [Theory]
    [InlineData("1 + 1")]
    [InlineData("time()")]
    [InlineData("vector(time())")]
    [InlineData("hour()")]
    [InlineData("\"string\"")]
    [InlineData("-1 ^ 2")]
    [InlineData("pi() * 2 > bool 1")]
    public void ExpressionsWithoutSelectorsYieldNone(string expr)
    {
        Assert.Empty(PromQLParser.ExtractSelectors(expr));
    }

    [Fact]
    public void NameMatcherIsAppendedAfterBraceMatchers()
    {
        var selector = Assert.Single(PromQLParser.ExtractSelectors("foo{b=\"2\", a=\"1\"}"));
        Assert.Equal(["b=\"2\"", "a=\"1\"", "__name__=\"foo\""], selector.Select(Render));
    }

    [Fact]
    public void OrderIsPrometheusWalkOrder()
    {
        // Prometheus visits an aggregation's expression before its parameter.
        Assert.Equal(["{__name__=\"b\"}", "{__name__=\"a\"}"],
            RenderSelectors(PromQLParser.ExtractSelectors("quantile(scalar(a), b)")));
        Assert.Equal(["{__name__=\"a\"}", "{__name__=\"b\"}", "{__name__=\"c\"}"],
            RenderSelectors(PromQLParser.ExtractSelectors("a / on() (b - rate(c[5m]))")));
    }

    [Fact]
    public void ExtractorWorksOnParsedTrees()
    {
        var expr = PromQLParser.ParseExpr("sum(rate(x{job=\"a\"}[5m])) / sum(y)");
        Assert.Equal(["{__name__=\"x\", job=\"a\"}", "{__name__=\"y\"}"], RenderSelectors(SelectorExtractor.Extract(expr)));
    }

    [Fact]
    public void MatchersKeepTheirType()
    {
        var selector = Assert.Single(PromQLParser.ExtractSelectors("{a=\"1\", b!=\"2\", c=~\"3\", d!~\"4\"}"));
        Assert.Equal(
            [
                Prometheus.Model.LabelMatchType.Equal, Prometheus.Model.LabelMatchType.NotEqual,
                Prometheus.Model.LabelMatchType.RegexMatch, Prometheus.Model.LabelMatchType.RegexNoMatch,
            ],
            selector.Select(m => m.Type));
    }
}
