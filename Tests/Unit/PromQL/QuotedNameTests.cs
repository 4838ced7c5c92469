using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.PromQL;
using Xunit;
using static OrleansExemplars.Tests.PromQL.PromQLTestHelpers;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>
/// Prometheus 3's quoted metric and label names (UTF-8 names), the default grammar: cases and messages of Prometheus
/// 3's own parser tests (promql/parser/parse_test.go, v3.0–3.9) and of its grammar (generated_parser.y: rules
/// <c>string_identifier</c>, <c>label_matcher</c>, <c>grouping_label</c>). Prometheus 2.42 (the differential
/// oracle here) refuses them all, so they are checked directly; with <see cref="NameValidationScheme.Legacy"/> the
/// parser answers as 2.42 (messages checked with promtool 2.42).
/// </summary>
public class QuotedNameTests
{
    [Theory]
    [InlineData("{\"foo\"}", "{__name__=\"foo\"}")]
    [InlineData("{\"http.server.request.duration\"}", "{__name__=\"http.server.request.duration\"}")]
    [InlineData("{\"http.server.request.duration\", \"service.name\"=\"api\"}", "{__name__=\"http.server.request.duration\", service.name=\"api\"}")]
    [InlineData("{\"foo\", a=\"bc\"}", "{__name__=\"foo\", a=\"bc\"}")]
    [InlineData("{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}", "{__name__=\"foo'bar\", a\\dos\\path=\"boo\\urns\"}")]
    [InlineData("{'foo\\'bar', `a\\dos\\path`=\"boo\"}", "{__name__=\"foo'bar\", a\\dos\\path=\"boo\"}")]
    [InlineData("{__name__=\"a.b\"}", "{__name__=\"a.b\"}")]
    [InlineData("foo{\"service.name\"=\"api\", \"é\"!=\"x\", \"a b\"=~\"c.*\", \"k\"!~\"v\"}", "{__name__=\"foo\", a b=~\"c.*\", k!~\"v\", service.name=\"api\", é!=\"x\"}")]
    [InlineData("{\"a.b\",}", "{__name__=\"a.b\"}")]
    [InlineData(" +{\"some_metric\"}", "{__name__=\"some_metric\"}")]
    [InlineData("rate({\"http.server.request.duration\"}[5m])", "{__name__=\"http.server.request.duration\"}")]
    [InlineData("histogram_quantile(0.9, sum by (le, \"service.name\") (rate({\"http.server.request.duration_bucket\"}[5m])))", "{__name__=\"http.server.request.duration_bucket\"}")]
    [InlineData("sum by (\"foo\")({\"some.metric\"})", "{__name__=\"some.metric\"}")]
    [InlineData("sum by (\"foo\", bar, 'baz')({\"some.metric\"})", "{__name__=\"some.metric\"}")]
    [InlineData("sum by (a:b) (x)", "{__name__=\"x\"}")]
    [InlineData("a + on(\"x.y\") group_left(\"z.w\") b", "{__name__=\"a\"} ; {__name__=\"b\"}")]
    // Allowed by Prometheus 3 as {__name__="bar", __name__="baz"} is: two equality matchers on the name, which
    // together match nothing.
    [InlineData("{\"bar\", __name__=\"baz\"}", "{__name__=\"bar\", __name__=\"baz\"}")]
    [InlineData("{\"a\", \"b\"}", "{__name__=\"a\", __name__=\"b\"}")]
    [InlineData("{\"\"=\"v\"}", "{=\"v\"}")]
    public void Quoted_names_select_as_Prometheus_3_does(string expr, string expected)
    {
        var want = expected.Split(" ; ").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(want, SelectorSet(expr));
    }

    [Fact]
    public void A_quoted_name_in_braces_is_the_metric_name_and_the_selector_has_no_name_outside()
    {
        var vs = Assert.IsType<VectorSelector>(PromQLParser.ParseExpr("{\"foo\", a=\"bc\"}"));
        Assert.Equal("", vs.Name);
        Assert.Equal(["__name__=\"foo\"", "a=\"bc\""], vs.LabelMatchers.Select(Render));
        Assert.Equal(new PositionRange(0, 15), vs.PositionRange);

        var sum = Assert.IsType<AggregateExpr>(PromQLParser.ParseExpr("sum by (\"foo\", bar, 'baz')({\"some.metric\"})"));
        Assert.Equal(["foo", "bar", "baz"], sum.Grouping);
        Assert.Equal(new PositionRange(27, 42), sum.Expr.PositionRange);
    }

    [Theory]
    [InlineData("foo{\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"")]
    [InlineData("foo{\"a.b\", c=\"d\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"a.b\"")]
    [InlineData("foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string")]
    [InlineData("{\"a\"=b}", "1:6: parse error: unexpected identifier \"b\" in label matching, expected string")]
    [InlineData("{\"a\" b}", "1:6: parse error: unexpected identifier \"b\" in label matching, expected \",\" or \"}\"")]
    [InlineData("{\"a\" \"b\"}", "1:6: parse error: unexpected string \"\\\"b\\\"\" in label matching, expected \",\" or \"}\"")]
    [InlineData("{\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{\"a\"=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{\"a\"", "1:5: parse error: unexpected end of input inside braces")]
    [InlineData("sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string")]
    [InlineData("sum by (\"\") (x)", "1:9: parse error: invalid label name for grouping: \"\"")]
    [InlineData("sum by (\"a\" \"b\") (x)", "1:13: parse error: unexpected string \"\\\"b\\\"\" in grouping opts, expected \",\" or \")\"")]
    public void Errors_are_worded_as_Prometheus_3_words_them(string expr, string expected)
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(expr));
        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [InlineData("{\"http.server.request.duration\"}", "1:2: parse error: unexpected string \"\\\"http.serv\"... in label matching, expected identifier or \"}\"")]
    [InlineData("foo{\"a\"=\"b\"}", "1:5: parse error: unexpected string \"\\\"a\\\"\" in label matching, expected identifier or \"}\"")]
    [InlineData("sum by (\"a.b\") (x)", "1:9: parse error: unexpected string \"\\\"a.b\\\"\" in grouping opts, expected label")]
    [InlineData("sum by (a:b) (x)", "1:9: parse error: unexpected metric identifier \"a:b\" in grouping opts, expected label")]
    public void Legacy_parses_as_Prometheus_2_42(string expr, string expected)
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(expr, NameValidationScheme.Legacy));
        Assert.Equal(expected, e.Message);
        Assert.Equal(["{__name__=\"a.b\"}"], SelectorSet("{__name__=\"a.b\"}", NameValidationScheme.Legacy));
    }
}
