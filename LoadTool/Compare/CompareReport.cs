using System.Globalization;
using System.Text;
using ScottPlot;

namespace OrleansExemplars.LoadTool.Compare;

/// <summary>The compare command's table (Markdown, with issue 8's targets P2 and P3) and PNG chart.</summary>
public static class CompareReport
{
    private static string Name(CompareTarget t) => t switch
    {
        CompareTarget.VictoriaMetrics => "VictoriaMetrics",
        CompareTarget.Prometheus => "Prometheus",
        CompareTarget.Vmagent => "vmagent",
        _ => "OrleansExemplars",
    };

    private static string Short(CompareTarget t) => t switch
    {
        CompareTarget.VictoriaMetrics => "VM",
        CompareTarget.Prometheus => "Prom",
        CompareTarget.Vmagent => "vmagent",
        _ => "ours",
    };

    private static string N(double v, string format = "N0") => v.ToString(format, CultureInfo.InvariantCulture);

    public static string Markdown(CompareSettings s, IReadOnlyList<IngestResult> ingest, IReadOnlyList<QueryResult> queries)
    {
        var b = new StringBuilder();
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Ingest: {s.Requests:N0} requests × {s.Series:N0} series per receiver ({s.Shards:N0} shards = {(long)s.Shards * s.Series:N0} series, " +
            $"{s.Metrics} metrics, {s.ExemplarRatio:P0} with an exemplar), {s.Concurrency} connections, after {s.Warmup} warm-up requests."));
        b.AppendLine();
        b.AppendLine("| remote-write receiver | samples/s | exemplars/s | p50 ms | p99 ms | errors | CPU s per M samples | relayed samples/s |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in ingest)
        {
            var x = r.Summary;
            var name = Name(r.Target) + (s.Relay && r.Target is CompareTarget.Ours or CompareTarget.Vmagent ? " → null receiver" : "");
            b.AppendLine($"| {name} | {N(x.SamplesPerSecond)} | {N(x.ExemplarsPerSecond)} | {N(x.LatencyP50Ms, "0.0")} | {N(x.LatencyP99Ms, "0.0")} | {N(x.Errors)} | " +
                         $"{(double.IsNaN(r.CpuPerMillion) ? "—" : N(r.CpuPerMillion, "0.00"))} | {(r.RelayedSamplesPerSecond is { } relayed ? N(relayed) : "—")} |");
        }
        b.AppendLine();
        b.AppendLine("| query_exemplars (p50 of the timed repetitions) | series | exemplars | p50 ms | min–max ms |");
        b.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var q in queries)
        {
            b.AppendLine($"| {Name(q.Target)}: `{q.Query}` | {N(q.Series)} | {N(q.Exemplars)} | {N(q.P50Ms, "0.0")} | {N(q.MinMs, "0.0")}–{N(q.MaxMs, "0.0")} |");
        }
        b.AppendLine();
        b.AppendLine("| ratio | measured | target | met |");
        b.AppendLine("|---|---:|---|---|");
        var ours = ingest.FirstOrDefault(r => r.Target == CompareTarget.Ours)?.Summary;
        var vm = ingest.FirstOrDefault(r => r.Target == CompareTarget.VictoriaMetrics)?.Summary;
        var prom = ingest.FirstOrDefault(r => r.Target == CompareTarget.Prometheus)?.Summary;
        if (ours is not null && vm is not null && vm.SamplesPerSecond > 0)
        {
            var ratio = ours.SamplesPerSecond / vm.SamplesPerSecond;
            b.AppendLine($"| P2 ingest samples/s, OrleansExemplars ÷ VictoriaMetrics | {N(ratio, "0.00")}× | ≥ 1.00× | {(ratio >= 1 ? "yes" : "no")} |");
        }
        if (ours is not null && prom is not null && prom.SamplesPerSecond > 0)
        {
            b.AppendLine($"| ingest samples/s, OrleansExemplars ÷ Prometheus | {N(ours.SamplesPerSecond / prom.SamplesPerSecond, "0.00")}× | — | — |");
        }
        var agent = ingest.FirstOrDefault(r => r.Target == CompareTarget.Vmagent);
        var relay = ingest.FirstOrDefault(r => r.Target == CompareTarget.Ours);
        if (agent is not null && relay is not null)
        {
            if (agent.RelayedSamplesPerSecond is > 0 && relay.RelayedSamplesPerSecond is { } ourRelay)
            {
                b.AppendLine($"| relay samples/s to a null receiver, OrleansExemplars ÷ vmagent | {N(ourRelay / agent.RelayedSamplesPerSecond.Value, "0.00")}× | — | — |");
            }
            if (agent.CpuPerMillion > 0 && !double.IsNaN(relay.CpuPerMillion))
            {
                b.AppendLine($"| CPU per million samples relayed, OrleansExemplars ÷ vmagent | {N(relay.CpuPerMillion / agent.CpuPerMillion, "0.00")}× | — | — |");
            }
        }
        foreach (var group in queries.GroupBy(q => q.Query))
        {
            var o = group.FirstOrDefault(q => q.Target == CompareTarget.Ours);
            var p = group.FirstOrDefault(q => q.Target == CompareTarget.Prometheus);
            if (o is null || p is null || p.P50Ms <= 0) continue;
            var ratio = o.P50Ms / p.P50Ms;
            b.AppendLine($"| P3 query_exemplars `{group.Key}` time, OrleansExemplars ÷ Prometheus | {N(ratio, "0.00")}× | ≤ 0.50× | {(ratio <= 0.5 ? "yes" : "no")} |");
        }
        return b.ToString();
    }

    /// <summary>Three panels: ingest samples/s, ingest latency p50/p99, query_exemplars p50 per query.</summary>
    public static void Chart(string path, IReadOnlyList<IngestResult> ingest, IReadOnlyList<QueryResult> queries)
    {
        var colors = new Dictionary<CompareTarget, Color>
        {
            [CompareTarget.VictoriaMetrics] = Color.FromHex("#7f7f7f"),
            [CompareTarget.Prometheus] = Color.FromHex("#e6522c"),
            [CompareTarget.Ours] = Color.FromHex("#1f77b4"),
            [CompareTarget.Vmagent] = Color.FromHex("#2ca02c"),
        };

        var throughput = new Plot();
        for (var i = 0; i < ingest.Count; i++)
        {
            var r = ingest[i];
            var bar = throughput.Add.Bar(position: i, value: r.Summary.SamplesPerSecond / 1e6);
            bar.Color = colors[r.Target];
            bar.Bars[0].Label = N(r.Summary.SamplesPerSecond / 1e6, "0.00");
        }
        throughput.Axes.Bottom.SetTicks(Enumerable.Range(0, ingest.Count).Select(i => (double)i).ToArray(),
            ingest.Select(r => Name(r.Target)).ToArray());
        throughput.Title("remote-write ingest");
        throughput.YLabel("M samples/s");
        throughput.Axes.Margins(bottom: 0);

        var latency = new Plot();
        for (var i = 0; i < ingest.Count; i++)
        {
            var r = ingest[i];
            var p50 = latency.Add.Bar(position: 3 * i, value: r.Summary.LatencyP50Ms);
            p50.Color = colors[r.Target];
            p50.Bars[0].Label = N(r.Summary.LatencyP50Ms, "0.0");
            var p99 = latency.Add.Bar(position: 3 * i + 1, value: r.Summary.LatencyP99Ms);
            p99.Color = colors[r.Target].WithAlpha(0.45);
            p99.Bars[0].Label = N(r.Summary.LatencyP99Ms, "0.0");
        }
        latency.Axes.Bottom.SetTicks(Enumerable.Range(0, ingest.Count).SelectMany(i => new[] { 3.0 * i, 3.0 * i + 1 }).ToArray(),
            ingest.SelectMany(r => new[] { Short(r.Target) + "\np50", Short(r.Target) + "\np99" }).ToArray());
        latency.Title("ingest latency per request (ms)");
        latency.Axes.Margins(bottom: 0);

        // Log scale by hand (ScottPlot 5 bars have none): one metric and everything differ by ~100×. A bar's height is
        // log10(ms) + 1, so 0.1 ms is the axis.
        var query = new Plot();
        var groups = queries.GroupBy(q => q.Query).ToArray();
        var ticks = new List<(double Position, string Label)>();
        var x = 0.0;
        foreach (var group in groups)
        {
            foreach (var q in group)
            {
                var bar = query.Add.Bar(position: x, value: Math.Log10(Math.Max(q.P50Ms, 0.1)) + 1);
                bar.Color = colors[q.Target];
                bar.Bars[0].Label = N(q.P50Ms, q.P50Ms < 10 ? "0.0" : "N0") + " ms";
                var what = group.Key.StartsWith('{') ? "all" : "1 metric";
                ticks.Add((x, $"{(q.Target == CompareTarget.Ours ? "ours" : Name(q.Target))}\n{what}"));
                x += 1;
            }
            x += 1;
        }
        query.Axes.Bottom.SetTicks(ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        var decades = Enumerable.Range(0, 6).ToArray();
        query.Axes.Left.SetTicks(decades.Select(d => (double)d).ToArray(), decades.Select(d => N(Math.Pow(10, d - 1), "0.#")).ToArray());
        query.YLabel("p50 ms (log scale)");
        query.Title("query_exemplars");
        query.Axes.Margins(bottom: 0);

        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0)); // the empty plot a Multiplot starts with
        multiplot.AddPlot(throughput);
        multiplot.AddPlot(latency);
        multiplot.AddPlot(query);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.SavePng(path, 1500, 450);
    }
}
