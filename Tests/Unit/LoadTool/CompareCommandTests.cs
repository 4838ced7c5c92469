using OrleansExemplars.LoadTool;
using OrleansExemplars.LoadTool.Compare;
using Xunit;

namespace OrleansExemplars.Tests.LoadTool;

/// <summary>
/// The compare command's arguments: defaults of issue 8's shape, and refusal of anything but loopback before a server
/// is started. (A real run is a benchmark, see BENCHMARKS.md, not a test.)
/// </summary>
public sealed class CompareCommandTests
{
    [Fact]
    public void Defaults_are_issue_8s_shape_on_127_0_0_1()
    {
        var s = CompareSettings.Parse([]);
        Assert.Equal("127.0.0.1", s.Host);
        Assert.Equal((6400L, 1000, 200, 100, 0.1, 4), (s.Requests, s.Series, s.Metrics, s.Shards, s.ExemplarRatio, s.Concurrency));
        Assert.Equal([CompareTarget.VictoriaMetrics, CompareTarget.Prometheus, CompareTarget.Ours], s.Targets);
        Assert.Equal("Memory", s.Storage);
        Assert.EndsWith("side-by-side.png", s.ChartPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_parsed()
    {
        var s = CompareSettings.Parse(["--requests", "100", "--warmup", "0", "--targets", "ours,prometheus", "--storage", "file",
            "--host", "::1", "--out", "x/chart.png", "--query-reps", "3", "--timeout", "60"]);
        Assert.Equal((100L, 0, 3, TimeSpan.FromSeconds(60), "File"), (s.Requests, s.Warmup, s.QueryRepetitions, s.Timeout, s.Storage));
        Assert.Equal([CompareTarget.Prometheus, CompareTarget.Ours], s.Targets);
        Assert.Equal("[::1]", s.Host);
        Assert.Equal(Path.GetFullPath("x/chart.png"), s.ChartPath);
    }

    [Theory]
    [InlineData("--host", "10.0.0.1")]
    [InlineData("--host", "0.0.0.0")]
    [InlineData("--host", "example.com")]
    [InlineData("--host", "localhost.example.com")]
    [InlineData("--allow-remote")]
    [InlineData("--requests", "0")]
    [InlineData("--exemplar-ratio", "1.5")]
    [InlineData("--storage", "azure")]
    [InlineData("--targets", "thanos")]
    [InlineData("--out", "chart.svg")]
    [InlineData("--bogus", "1")]
    [InlineData("--requests")]
    public void Bad_or_non_loopback_arguments_are_refused(params string[] args) =>
        Assert.Throws<ArgumentException>(() => CompareSettings.Parse(args));

    [Fact]
    public async Task A_non_loopback_host_exits_2_before_anything_starts()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CompareCommand.RunAsync(["--host", "192.168.1.10"], stdout, stderr, interactive: false, CancellationToken.None);
        Assert.Equal(2, exit);
        Assert.Contains("refusing --host 192.168.1.10", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void Rotated_metrics_spread_issue_8s_100k_series_over_all_200_names_without_duplicates()
    {
        var workload = new RemoteWriteWorkload(new WorkloadShape(Seed: 1, Series: 1000, Metrics: 200, ExemplarRatio: 0.1, Shards: 100,
            StartMs: 1_700_000_000_000, StepMs: 1000, RotateMetrics: true));
        var series = Enumerable.Range(0, 100).SelectMany(r => workload.Build(r).Timeseries)
            .Select(s => string.Join(",", s.Labels.Select(l => $"{l.Name.ToStringUtf8()}={l.Value.ToStringUtf8()}"))).ToList();
        Assert.Equal(100_000, series.Distinct().Count());
        var perMetric = series.GroupBy(s => s.Split(',')[0]).Select(g => g.Count()).ToArray();
        Assert.Equal(200, perMetric.Length);
        Assert.All(perMetric, n => Assert.InRange(n, 480, 520));
        Assert.Equal(200, workload.MetricNames.Count());
    }
}
