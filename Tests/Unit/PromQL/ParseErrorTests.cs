using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.PromQL;
using Xunit;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>Malformed expressions with the exact error promtool 2.42 reports for them (line:col from UTF-8 bytes).</summary>
public class ParseErrorTests
{
    [Theory]
    [InlineData("rate(x)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("x[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types")]
    [InlineData("1 and 2", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression")]
    [InlineData("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier")]
    [InlineData("{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{a=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"")]
    [InlineData("x[5m][5m]", "1:6: parse error: ranges only allowed for vector selectors")]
    [InlineData("foo(x)", "1:1: parse error: unknown function with name \"foo\"")]
    [InlineData("   ", "1:1: parse error: no expression found in input")]
    [InlineData("# only a comment", "1:1: parse error: no expression found in input")]
    [InlineData("sum(x", "1:6: parse error: unclosed left parenthesis")]
    [InlineData("x[5m", "1:5: parse error: unclosed left bracket")]
    [InlineData("foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces")]
    [InlineData("foo bar", "1:5: parse error: unexpected identifier \"bar\"")]
    [InlineData("foo{a=b}", "1:7: parse error: unexpected identifier \"b\" in label matching, expected string")]
    [InlineData("foo{a}", "1:6: parse error: unexpected \"}\" in label matching, expected label matching operator")]
    [InlineData("foo{\"a\"=\"b\"}", "1:5: parse error: unexpected string \"\\\"a\\\"\" in label matching, expected identifier or \"}\"")]
    [InlineData("foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"")]
    [InlineData("sum by x (y)", "1:8: parse error: unexpected identifier \"x\" in grouping opts, expected \"(\"")]
    [InlineData("sum by (a:b) (x)", "1:9: parse error: unexpected metric identifier \"a:b\" in grouping opts, expected label")]
    [InlineData("sum(x) by", "1:10: parse error: unexpected end of input in grouping opts, expected \"(\"")]
    [InlineData("sum()", "1:1: parse error: no arguments for aggregate expression provided")]
    [InlineData("topk(x)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1")]
    [InlineData("topk(5, x, y)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 3")]
    [InlineData("count_values(5, x)", "1:14: parse error: expected type string in aggregation parameter, got scalar")]
    [InlineData("rate(x, y)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2")]
    [InlineData("rate(x[5m],)", "1:11: parse error: trailing commas not allowed in function call args")]
    [InlineData("label_join(x)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1")]
    [InlineData("round(x, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3")]
    [InlineData("x offset", "1:9: parse error: unexpected end of input in offset, expected duration")]
    [InlineData("x offset 5", "1:10: parse error: unexpected number \"5\" in offset, expected duration")]
    [InlineData("x offset 0s", "1:10: parse error: duration must be greater than 0")]
    [InlineData("x @", "1:4: parse error: unexpected end of input in @, expected timestamp")]
    [InlineData("x @ foo", "1:5: parse error: unexpected identifier \"foo\" in @, expected timestamp")]
    [InlineData("x @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times")]
    [InlineData("x offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times")]
    [InlineData("(x) offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("(x)[5m]", "1:4: parse error: ranges only allowed for vector selectors")]
    [InlineData("x offset 5m [5m]", "1:13: parse error: no offset modifiers allowed before range")]
    [InlineData("x @ 5 [5m]", "1:7: parse error: no @ modifiers allowed before range")]
    [InlineData("x[5m:1m:1m]", "1:8: parse error: unexpected colon ':'")]
    [InlineData("x[5m 1m]", "1:6: parse error: unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\"")]
    [InlineData("x[5]", "1:3: parse error: missing unit character in duration")]
    [InlineData("x[1h1d]", "1:3: parse error: not a valid duration string: \"1h1d\"")]
    [InlineData("x[5m:][5m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead")]
    [InlineData("rate(x[5m])[5m]", "1:12: parse error: ranges only allowed for vector selectors")]
    [InlineData("x + bool y", "1:3: parse error: bool modifier can only be used on comparison operators")]
    [InlineData("x + on(a) group_left(a) y", "1:3: parse error: label \"a\" must not occur in ON and GROUP clause at once")]
    [InlineData("x and on(a) group_left y", "1:1: parse error: no grouping allowed for \"and\" operation")]
    [InlineData("1 + on(a) 2", "1:1: parse error: vector matching only allowed between instant vectors")]
    [InlineData("-\"s\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"")]
    [InlineData("-x[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"")]
    [InlineData("1 @ 5", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("x @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf")]
    [InlineData("x @ start", "1:10: parse error: unexpected end of input in @, expected timestamp")]
    [InlineData("x{a=~\"(\"}", "1:3: parse error: error parsing regexp: missing closing ): `^(?:()$`")]
    [InlineData("x{a=~\"a**\"}", "1:3: parse error: error parsing regexp: invalid nested repetition operator: `**`")]
    [InlineData("x{a=~\"\\\\q\"}", "1:3: parse error: error parsing regexp: invalid escape sequence: `\\q`")]
    [InlineData("\"\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'")]
    [InlineData("'abc", "1:1: parse error: unterminated quoted string")]
    [InlineData("`abc", "1:1: parse error: unterminated raw string")]
    [InlineData("1e", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid syntax")]
    [InlineData("1.5.5", "1:4: parse error: unexpected number \".5\"")]
    [InlineData("5m", "1:1: parse error: unexpected duration \"5m\"")]
    [InlineData("x == == y", "1:6: parse error: unexpected <op:==>")]
    [InlineData("x ! y", "1:3: parse error: unexpected character after '!': ' '")]
    [InlineData("x = y", "1:3: parse error: unexpected \"=\"")]
    [InlineData("x $ y", "1:3: parse error: unexpected character: '$'")]
    [InlineData("x\n  +\n  ) ", "3:4: parse error: unexpected right parenthesis ')'")]
    [InlineData("sum(x)\n by (a)\n (y)", "3:2: parse error: unexpected \"(\"")]
    [InlineData("é + foo bar", "1:1: parse error: unexpected character: 'é'")]
    [InlineData("{a=\"é\"} foo", "1:10: parse error: unexpected identifier \"foo\"")]
    [InlineData("x\n# comment\n+ bar baz", "3:7: parse error: unexpected identifier \"baz\"")]
    [InlineData("on(a) x", "1:1: parse error: unexpected <on>")]
    [InlineData("group_left", "1:1: parse error: unexpected <group_left>")]
    [InlineData("x + group_left y", "1:5: parse error: unexpected <group_left>")]
    [InlineData("sum without(without) (x)", "1:13: parse error: unexpected <without> in grouping opts, expected label")]
    [InlineData("x[5m:] offset 1m offset 1m", "1:1: parse error: offset may not be set multiple times")]
    [InlineData("-1 offset 5m", "1:2: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("atan2(x, y)", "1:1: parse error: unexpected <op:atan2>")]
    [InlineData("x atan2", "1:8: parse error: unexpected end of input")]
    [InlineData("start()", "1:6: parse error: unexpected \"(\"")]
    [InlineData("foo{a=\"b\"}{c=\"d\"}", "1:11: parse error: unexpected \"{\"")]
    public void ReportsPrometheusError(string expr, string expected)
    {
        // Prometheus 2.42's grammar (Prometheus 3's quoted names: QuotedNameTests).
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(expr, NameValidationScheme.Legacy));
        Assert.Equal(expected, e.Message);
        Assert.EndsWith(e.Detail, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t ")]
    [InlineData("# just a comment\n\n")]
    public void EmptyInputIsAnError(string expr)
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ExtractSelectors(expr));
        Assert.Equal("1:1: parse error: no expression found in input", e.Message);
        Assert.Equal("no expression found in input", e.Detail);
    }

    [Fact]
    public void ExposesRangeAsByteOffsets()
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr("{a=\"é\"} foo"));
        Assert.Equal("1:10: parse error: unexpected identifier \"foo\"", e.Message);
        Assert.Equal(9, e.Start);
        Assert.Equal(12, e.End);
        Assert.Equal("unexpected identifier \"foo\"", e.Detail);
    }

    [Fact]
    public void LineAndColumnOnLaterLines()
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr("sum(\n  rate(x[5m])\n) by (a) 1"));
        Assert.Equal("3:10: parse error: unexpected number \"1\"", e.Message);
    }

    [Fact]
    public void InvalidRegexIsReportedAtTheMatcher()
    {
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr("up{job=\"x\", instance=~\"a(b\"}"));
        Assert.Equal("1:13: parse error: error parsing regexp: missing closing ): `^(?:a(b)$`", e.Message);
        Assert.StartsWith("error parsing regexp:", e.Detail);
    }

    [Fact]
    public void DeepNestingIsAnErrorNotACrash()
    {
        var deep = new string('(', 100_000) + "x" + new string(')', 100_000);
        var e = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(deep));
        Assert.Contains("nests too deeply", e.Message);
    }

    [Fact]
    public void ModeratelyDeepNestingParses()
    {
        var expr = new string('(', 200) + "x" + new string(')', 200);
        Assert.Single(PromQLParser.ExtractSelectors(expr));
    }
}
