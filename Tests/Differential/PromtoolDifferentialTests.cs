using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.PromQL.Corpus;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.PromQL;

/// <summary>
/// Differential test against the real Prometheus 2.42 parser: every corpus expression plus a deterministic batch of
/// random mutations is checked with <c>promtool check rules</c>, and our result ("OK" or the error message) must be
/// identical. Needs promtool on PATH (./test.sh installs it); without it the test fails.
/// </summary>
public partial class PromtoolDifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public void MatchesPromtool()
    {
        var promtool = RequiredComponent.Binary("promtool", "Debian package 'prometheus'");

        var expressions = CorpusExpressions().Concat(Mutations(seed: 42, count: 3000))
            .Where(Representable).Distinct().ToList();
        var expected = RunPromtool(promtool, expressions);

        var failures = new List<string>();
        var knownDivergences = 0;
        for (var i = 0; i < expressions.Count; i++)
        {
            // promtool 2.42 knows only the legacy grammar (Prometheus 3's quoted names: QuotedNameTests).
            var actual = PromQLTestHelpers.Result(expressions[i], NameValidationScheme.Legacy);
            if (actual == expected[i])
            {
                continue;
            }
            // Known divergence: Unicode script classes (\p{Greek}), which Go accepts and this server refuses (no
            // script tables in .NET). Invalid-in-Go regexes are matched exactly.
            if (expected[i] == "OK" && actual.Contains("unsupported regexp: Unicode script class", StringComparison.Ordinal))
            {
                knownDivergences++;
                continue;
            }
            failures.Add($"{PromQLTestHelpers.Quote(expressions[i])}\n    promtool: {expected[i]}\n    ours:     {actual}");
        }
        output.WriteLine($"{expressions.Count} expressions compared, {knownDivergences} known regex divergences");
        Assert.True(failures.Count == 0, $"{failures.Count} differences:\n" + string.Join("\n", failures.Take(50)));
        Assert.Contains("OK", expected);
        Assert.True(expected.Count(e => e != "OK") > expressions.Count / 4);
    }

    private static IEnumerable<string> CorpusExpressions()
    {
        foreach (var (expr, _) in GrammarTour.Cases
                     .Concat(ErrorShapesA.Cases).Concat(ErrorShapesB.Cases))
        {
            yield return expr;
        }
        foreach (var type in new[] { typeof(SelectorExtractionTests), typeof(ParseErrorTests), typeof(AstTests) })
        {
            foreach (var method in type.GetMethods())
            {
                foreach (var data in method.GetCustomAttributes<InlineDataAttribute>())
                {
                    if (data.GetData(method).First()[0] is string expr)
                    {
                        yield return expr;
                    }
                }
            }
        }
    }

    private static readonly string[] Vocabulary =
    [
        "(", ")", "[", "]", "{", "}", ",", ":", "=", "==", "!=", "=~", "!~", "<", ">=", "+", "-", "*", "/", "^", "@",
        "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
        "atan2", "sum", "topk", "count_values", "rate", "foo", "a:b", "5m", "1h", "0s", "1", "0.5", "Inf", "\"s\"",
        "'q'", "`r`", "start()", "end()", " ", "\n", "#c\n", "1e", "0x", ".", "!", "\"\\q\"", "[5m]", "[5m:]",
        "{a=\"b\"}", "{}", "x", "le", "__name__", "\"(\"", "1m1m", "5mm", "(x)", "x[5m]", "x @ 1", "x offset 1m",
    ];

    /// <summary>Deterministic random token-level mutations of the corpus' valid expressions.</summary>
    private static IEnumerable<string> Mutations(int seed, int count)
    {
        var random = new Random(seed);
        var seeds = GrammarTour.Cases
            .Where(c => c.Expected == "OK").Select(c => c.Expr).ToList();
        for (var n = 0; n < count; n++)
        {
            var tokens = TokenRegex().Matches(seeds[random.Next(seeds.Count)]).Select(m => m.Value).ToList();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                var op = random.NextDouble();
                if (op < 0.3 && tokens.Count > 0)
                {
                    tokens.RemoveAt(random.Next(tokens.Count));
                }
                else if (op < 0.65)
                {
                    tokens.Insert(random.Next(tokens.Count + 1), Vocabulary[random.Next(Vocabulary.Length)]);
                }
                else if (op < 0.85 && tokens.Count > 0)
                {
                    tokens[random.Next(tokens.Count)] = Vocabulary[random.Next(Vocabulary.Length)];
                }
                else if (tokens.Count > 1)
                {
                    var i = random.Next(tokens.Count - 1);
                    (tokens[i], tokens[i + 1]) = (tokens[i + 1], tokens[i]);
                }
            }
            yield return string.Concat(tokens);
        }
    }

    [GeneratedRegex(@"[A-Za-z0-9_:.]+|.", RegexOptions.Singleline)]
    private static partial Regex TokenRegex();

    // promtool reads the expression from YAML: it must be non-empty and free of control characters.
    private static bool Representable(string expr) =>
        expr.Trim().Length > 0 && !expr.Any(c => char.IsControl(c) && c is not ('\n' or '\t')) &&
        !expr.Any(char.IsSurrogate);

    /// <summary>Runs promtool on all expressions; returns "OK" or the parse error message for each.</summary>
    private static List<string> RunPromtool(string promtool, List<string> expressions)
    {
        var file = Path.Combine(Path.GetTempPath(), $"promql-diff-{Guid.NewGuid():N}.yml");
        var json = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var yaml = new StringBuilder("groups:\n- name: g\n  rules:\n");
        foreach (var e in expressions)
        {
            yaml.Append("  - record: r\n    expr: ").Append(JsonSerializer.Serialize(e, json)).Append('\n');
        }
        File.WriteAllText(file, yaml.ToString());
        try
        {
            var psi = new ProcessStartInfo(promtool, ["check", "rules", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var results = Enumerable.Repeat("OK", expressions.Count).ToList();
            foreach (Match m in RuleErrorRegex().Matches(stdout + "\n" + stderr.Result))
            {
                results[int.Parse(m.Groups[1].Value) - 1] = m.Groups[2].Value;
            }
            return results;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"rule (\d+), ""r"": could not parse expression: (.*)$", RegexOptions.Multiline)]
    private static partial Regex RuleErrorRegex();
}
