using System.Net;
using System.Text;
using System.Text.Json;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.PromQL;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Differential;

/// <summary>
/// The real Prometheus 2.42 (Go's RE2) and our system side by side, both sent the same probe series:
/// <c>regex_probe{i="k", v="value k"}</c> for label values chosen to tell regex dialects apart (astral characters,
/// line breaks, case-folding oddities, non-ASCII letters and digits), <c>i="0"</c> without <c>v</c> (the empty
/// value), each with one exemplar; <c>regex_probe_long{v="a…a"}</c> with a 50 000-character value; and
/// <c>regex_probe_random</c> with 149 random values made of the same kinds of characters.
/// </summary>
public sealed class RegexProbeFixture : IAsyncLifetime
{
    public const string Metric = "regex_probe";
    public const string LongMetric = "regex_probe_long";
    public const string RandomMetric = "regex_probe_random";
    public static readonly string LongValue = new('a', 50_000);

    /// <summary>The probe values; index 0 is the series without the label.</summary>
    public static readonly string[] Values =
    [
        "", "a", "A", "b", "abc", "ABC", "aBc", "foo", "foo bar", "foo-bar", "foo_bar", "xfoox", "éfoo", "fooé",
        "a\nb", "\n", "a\n", "😀", "😀😀", "a😀b", "𝐀", "αβγ", "ΑΒΓ", "Ωmega", "straße", "STRAẞE", "k", "K",
        "\u212A", "s", "S", "\u017F", "123", "١٢٣", "Ⅻ", "a.b", "a*b", "[x]", "tab\tx", " ", "api-", "api-gateway",
        "api-users-v2", "𐐀", "𐐨", "ǅ", "ι", "\u0345", "\u00B5", "μ", "İ", "i", "ı", "I", "aa", "aaa", "\u200D",
        "é", "e\u0301", "\uFFFD", "x\r\ny", "foo.bar", "Foo", "FOO", "fooBar", "\u2028",
    ];

    /// <summary>Random values for <see cref="RandomMetric"/> (index 0: the series without the label).</summary>
    public static readonly string[] RandomValues = RandomProbeValues();

    public ExemplarSystem Ours { get; private set; } = null!;
    public PrometheusServer Prometheus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The long probe value is over the default Ingest:MaxLabelValueLength (16 384, VictoriaMetrics' own): raised here,
        // as a user who stores such values would, so that the regex engines are what is compared.
        var ours = ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Ingest:MaxLabelValueLength"] = "65536",
        });
        var prometheus = PrometheusServer.StartAsync();
        Ours = await ours;
        Prometheus = await prometheus;

        var t0 = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 300_000) / 1000 * 1000;
        var request = new WriteRequest();
        for (var k = 0; k < Values.Length; k++)
        {
            (string, string)[] labels = k == 0
                ? [("__name__", Metric), ("i", "0")]
                : [("__name__", Metric), ("i", k.ToString()), ("v", Values[k])];
            request.Timeseries.Add(Series(labels).WithSample(k, t0).WithExemplar(k, t0 + k, ("trace_id", "t" + k)));
        }
        request.Timeseries.Add(Series(("__name__", LongMetric), ("v", LongValue)).WithSample(1, t0)
            .WithExemplar(1, t0 + 1, ("trace_id", "long")));
        for (var k = 0; k < RandomValues.Length; k++)
        {
            (string, string)[] labels = k == 0
                ? [("__name__", RandomMetric), ("i", "0")]
                : [("__name__", RandomMetric), ("i", k.ToString()), ("v", RandomValues[k])];
            request.Timeseries.Add(Series(labels).WithSample(k, t0).WithExemplar(k, t0 + k, ("trace_id", "r" + k)));
        }

        using var theirs = await Prometheus.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.True(theirs.StatusCode == HttpStatusCode.NoContent,
            $"Prometheus refused the probes: {(int)theirs.StatusCode} {await theirs.Content.ReadAsStringAsync()}");
        using var mine = await Ours.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.Equal(HttpStatusCode.NoContent, mine.StatusCode);
    }

    private static string[] RandomProbeValues()
    {
        var random = new RandomRe2Patterns(new Random(7));
        var values = new List<string> { "" };
        while (values.Count < 150)
        {
            var value = random.Value();
            if (value.Length > 0 && !values.Contains(value))
            {
                values.Add(value);
            }
        }
        return [.. values];
    }

    /// <summary>A PromQL double-quoted string holding <paramref name="s"/> exactly.</summary>
    public static string PromQLString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '\\' => @"\\",
                '"' => "\\\"",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary><c>query_exemplars</c> over all time on one side: the status, the body, and the <c>i</c> labels of the
    /// series in a 200 answer (the <c>v</c> label for <see cref="LongMetric"/>'s series counts as "long").</summary>
    public static async Task<(HttpStatusCode Status, string Body, SortedSet<int> Series)> QueryAsync(HttpClient http, string query)
    {
        using var response = await http.GetAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadAsStringAsync();
        var series = new SortedSet<int>();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var json = JsonDocument.Parse(body);
            foreach (var s in json.RootElement.GetProperty("data").EnumerateArray())
            {
                var labels = s.GetProperty("seriesLabels");
                series.Add(labels.TryGetProperty("i", out var i) ? int.Parse(i.GetString()!) : -1);
            }
        }
        return (response.StatusCode, body, series);
    }

    public async Task DisposeAsync()
    {
        if (Ours is not null) await Ours.DisposeAsync();
        if (Prometheus is not null) await Prometheus.DisposeAsync();
    }
}
