using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Sharding;
using Xunit;

namespace OrleansExemplars.Tests.Query;

/// <summary>
/// Merging grains' JSON answers gives byte for byte what merging their object answers with
/// <see cref="ShardedResultMerger"/> and writing them with the former JSON writer gave.
/// </summary>
public sealed class SeriesJsonMergerTests
{
    [Fact]
    public void Random_answers_of_several_grains_merge_to_the_former_bytes()
    {
        var random = new Random(23);
        for (var round = 0; round < 300; round++)
        {
            var grains = random.Next(0, 6);
            // A small pool of series so that grains share some (a shard count that changed) and not others.
            var pool = Enumerable.Range(0, random.Next(1, 12)).Select(_ => RandomSeries(random)).Distinct().ToList();
            var answers = new List<SeriesExemplars[]>();
            for (var g = 0; g < grains; g++)
            {
                var series = pool.Where(_ => random.Next(3) == 0).OrderBy(s => s).ToList();
                answers.Add(series.Select(s => new SeriesExemplars(s, RandomExemplars(random))).ToArray());
            }
            // Resent exemplars: copy some from one grain's series into another grain's part of the same series.
            for (var g = 1; g < answers.Count; g++)
            {
                for (var k = 0; k < answers[g].Length; k++)
                {
                    var twin = answers[g - 1].FirstOrDefault(s => s.Series.Equals(answers[g][k].Series));
                    if (twin is null || random.Next(2) == 0) continue;
                    var merged = answers[g][k].Exemplars.Concat(twin.Exemplars.Where(_ => random.Next(2) == 0)).OrderBy(e => e.TimestampMs);
                    answers[g][k] = answers[g][k] with { Exemplars = merged.ToArray() };
                }
            }

            var expected = QueryJsonOracle.Write(ShardedResultMerger.Merge(answers));
            var actual = QueryJsonOracle.WriteMerged(answers.Select(QueryJsonOracle.Batch).ToList());
            Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
        }
    }

    [Fact]
    public void Answers_without_what_merging_does_not_need_merge_the_same()
    {
        var random = new Random(29);
        for (var round = 0; round < 100; round++)
        {
            // One grain: JSON only. Several grains of different metrics (disjoint series): keys, no exemplar index.
            var one = Enumerable.Range(0, random.Next(0, 8)).Select(_ => RandomSeries(random)).Distinct().Order()
                .Select(s => new SeriesExemplars(s, RandomExemplars(random))).ToArray();
            Assert.Equal(QueryJsonOracle.Write(one), QueryJsonOracle.WriteMerged([QueryJsonOracle.Batch(one, SeriesJsonOptions.JsonOnly)]));

            var metrics = Enumerable.Range(0, random.Next(1, 5)).Select(m => Enumerable.Range(0, random.Next(0, 5))
                .Select(_ => WithName(RandomSeries(random), "metric" + m)).Distinct().Order()
                .Select(s => new SeriesExemplars(s, RandomExemplars(random))).ToArray()).ToList();
            Assert.Equal(QueryJsonOracle.Write(ShardedResultMerger.Merge(metrics)),
                QueryJsonOracle.WriteMerged(metrics.Select(a => QueryJsonOracle.Batch(a, SeriesJsonOptions.Keys)).ToList()));
        }
    }

    [Fact]
    public void A_series_in_two_grains_without_the_exemplar_index_is_refused_not_guessed()
    {
        var series = new SeriesExemplars(LabelSet.From(("__name__", "m")), [new Exemplar(LabelSet.Empty, 1, 1, true)]);
        Assert.Throws<InvalidOperationException>(() => QueryJsonOracle.WriteMerged(
            [QueryJsonOracle.Batch([series], SeriesJsonOptions.Keys), QueryJsonOracle.Batch([series], SeriesJsonOptions.Keys)]));
    }

    private static LabelSet WithName(LabelSet series, string name) =>
        LabelSet.From(series.AsSpan().ToArray().Select(l => l.Name == LabelSet.MetricName ? new Label(l.Name, name) : l));

    [Fact]
    public void No_grains_and_empty_answers_write_an_empty_list()
    {
        Assert.Equal("{\"status\":\"success\",\"data\":[]}"u8.ToArray(), QueryJsonOracle.WriteMerged([]));
        Assert.Equal(QueryJsonOracle.Write([]), QueryJsonOracle.WriteMerged([QueryJsonOracle.Batch([]), QueryJsonOracle.Batch([])]));
    }

    private static LabelSet RandomSeries(Random random)
    {
        string[] values = ["a", "b", "é", "x\"y", "\uE000", "😀", "<tag>&", "line\nbreak", "\u0001\\", "lone\uD800"];
        var labels = new List<Label> { new(LabelSet.MetricName, "m" + random.Next(3)) };
        foreach (var name in new[] { "A", "instance", "le", "_x" })
        {
            if (random.Next(2) == 0) labels.Add(new Label(name, values[random.Next(values.Length)]));
        }
        return LabelSet.From(labels);
    }

    private static Exemplar[] RandomExemplars(Random random)
    {
        var ts = random.NextInt64(-3000, 3000);
        var result = new Exemplar[random.Next(1, 5)];
        for (var i = 0; i < result.Length; i++)
        {
            ts += random.Next(0, 3) * 500; // equal timestamps across grains are the interesting ties
            var labels = random.Next(4) switch
            {
                0 => LabelSet.From(("trace_id", "t" + random.Next(3)), ("span_id", "s")),
                1 => LabelSet.Empty,
                _ => LabelSet.From(("trace_id", "t" + random.Next(3))),
            };
            double[] values = [1, 2.5, double.NaN, -0.0, 1e-7, 1e22];
            result[i] = new Exemplar(labels, values[random.Next(values.Length)], ts, ts != 0 || random.Next(2) == 0);
        }
        return result;
    }
}
