namespace OrleansExemplars.Tests.PromQL.Corpus;

/// <summary>
/// The corpus expressions whose result differs between Prometheus 2.42 (what the corpus records, from promtool 2.42)
/// and Prometheus 3, whose grammar takes quoted metric and label names in braces and in grouping lists and checks
/// identifiers in grouping lists by the UTF-8 rules. Each Prometheus 3 result is derived from its grammar
/// (generated_parser.y: <c>string_identifier</c>, <c>label_matcher</c>, <c>grouping_label</c>; parse.go's
/// <c>checkAST</c>), there being no Prometheus 3 here to ask.
/// </summary>
internal static class Utf8NameResults
{
    public static readonly Dictionary<string, string> Cases = new(StringComparer.Ordinal)
    {
        ["x or ignoring('q'a =~y"] =
            "1:18: parse error: unexpected identifier \"a\" in grouping opts, expected \",\" or \")\"",
        ["label_join(up,{\"dst\", \",\" \"a\", \"btime()\", \"c\")"] =
            "1:27: parse error: unexpected string \"\\\"a\\\"\" in label matching, expected \",\" or \"}\"",
        ["sum(x)without  (\"(?\"a, b,)"] =
            "1:21: parse error: unexpected identifier \"a\" in grouping opts, expected \",\" or \")\"",
        ["{__name__=~\"x.*\", 'q'job=\"a\"}"] =
            "1:22: parse error: unexpected identifier \"job\" in label matching, expected \",\" or \"}\"",
        ["absent(nonexistent{\"~\"})"] =
            "1:8: parse error: metric name must not be set twice: \"nonexistent\" or \"~\"",
        ["a +on(b) group_left(\"s\" d"] =
            "1:25: parse error: unexpected identifier \"d\" in grouping opts, expected \",\" or \")\"",
        ["absent(nonexistentjob{\"=x\"})"] =
            "1:8: parse error: metric name must not be set twice: \"nonexistentjob\" or \"=x\"",
        ["{`raw\\string`"] =
            "1:14: parse error: unexpected end of input inside braces",
        ["foo{\"(?\"=\"b\", c!=\"d\", e=~\"f.*\", g!~\"h|i\"}"] =
            "OK",
        ["a:b:c{\"=e\"}"] =
            "1:1: parse error: metric name must not be set twice: \"a:b:c\" or \"=e\"",
        ["a:b:c{\"e\"}"] =
            "1:1: parse error: metric name must not be set twice: \"a:b:c\" or \"e\"",
        ["a:b:c{\"s\"=\"e\"}"] =
            "OK",
        ["a:b:cd{\"\"e}"] =
            "1:10: parse error: unexpected identifier \"e\" in label matching, expected \",\" or \"}\"",
        ["group() BY # c\n(a:b)"] =
            "1:1: parse error: no arguments for aggregate expression provided",
        ["avg((\n+ 1  )\t/ bool on(on,) group_left ( # c\n\"a|b\" ) <= on(group_left, on, on) group_left(offset, by, x1) Topk(\"é\", \"a|b\") BY\t(le, __name__, by,)) BY()"] =
            "3:9: parse error: unexpected <op:<=> in aggregation",
        ["foo[1h30m] OFFSET # c\n1h30m # c\nunless ignoring(__name__, x1, x1)group_left ( \"\\u00e9\" # c\n>=\tbool 'c' ==by{  a =~\t\"a|b\", # c\ngroup_left\n!= \"\\\\d+\", # c\nby\n=\t'c' } offset\t-1s[1s:]  *\nbool {   }\n) OFFSET\t-1ms\nOFFSET  90s"] =
            "4:1: parse error: unexpected <op:>=> in grouping opts, expected \",\" or \")\"",
        ["(( hour()\n)  )\t*\nmin(.5\t<=\tbool on(le, le, on,)  group_right (\n\"b\"[5m]\noffset -1h30m ) @ +1.5   offset  -1ms, ( 1e3[1s]@\n+1.5 \n< ignoring(a, by, __name__)\t`d`[1y]\t))"] =
            "4:4: parse error: unexpected \"[\" in grouping opts, expected \",\" or \")\"",
        ["count BY\n(__name__, __name__) (- # c\nstart{x1\t=~\"b\",group_left\n=\"\",by\n=~\n\".*\"\t} atan2\nignoring()\ngroup_right ( # c\n\".*\"\n))!= -  min(topk(sum, by{  }) without # c\n(x1,), (  {\tjob =~  \"\\x41\" # c\n})) by\t(__name__, on, job,)[90s]"] =
            "10:2: parse error: unexpected \")\" in aggregation",
        ["x{\"a\"=\"b\"}"] =
            "OK",
    };
}
