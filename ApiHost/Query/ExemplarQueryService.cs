using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Hosting;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Sharding;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.ApiHost.Query;

/// <summary>
/// Answers an exemplar query by fanning out to the metric grains that can hold matches: a matcher set naming its
/// metric (<c>__name__="x"</c>) asks that metric's grains alone; any other set asks every catalogued name its
/// <c>__name__</c> matchers accept. A metric's grains are those the catalog lists for it (the plain grain and every
/// shard that ever stored an exemplar, see <see cref="MetricLayout"/>). Grains are asked in parallel, at most
/// <c>Api:QueryConcurrency</c> at once, within <c>Api:QueryTimeout</c>. Grains answer in JSON
/// (<see cref="SeriesJsonBatch"/>); the caller merges the answers as one ring would answer (<see cref="SeriesJsonMerger"/>).
/// </summary>
/// <remarks>
/// All or nothing: a grain that fails or does not answer in time fails the whole query
/// (<see cref="ExemplarQueryException"/>). A partial list of exemplars looks exactly like a complete one in Grafana,
/// so it is never returned.
/// </remarks>
public sealed class ExemplarQueryService(IGrainFactory grains, IOptions<ApiHostOptions> options, ApiMetrics metrics)
{
    /// <returns>One answer per grain asked, in a fixed grain order.</returns>
    /// <param name="exemplarIndex">Ask every grain for its exemplar index (a <c>limit</c> needs the timestamps).</param>
    public async Task<SeriesJsonBatch[]> SelectAsync(long startMs, long endMs,
        IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, CancellationToken cancellationToken, bool exemplarIndex = false)
    {
        using var timeout = new CancellationTokenSource(options.Value.QueryTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            List<(string Metric, string Key, LabelMatcher[][] Sets)> plan;
            try
            {
                plan = await PlanAsync(matcherSets).WaitAsync(linked.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ExemplarQueryException(ExemplarQueryFailure.Unavailable,
                    $"metric catalog failed: {e.GetBaseException().Message}", e);
            }
            metrics.RecordGrainsAsked(plan.Count);
            var answers = new SeriesJsonBatch[plan.Count];
            var grainsPerMetric = plan.CountBy(p => p.Metric).ToDictionary(StringComparer.Ordinal);
            await Parallel.ForEachAsync(Enumerable.Range(0, plan.Count),
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.QueryConcurrency, CancellationToken = linked.Token },
                async (i, ct) =>
                {
                    var (metric, key, sets) = plan[i];
                    // Keys to merge several answers; the exemplar index to combine a series held by two grains,
                    // which only grains of one metric can (see SeriesJsonOptions).
                    var parts = (plan.Count > 1 ? SeriesJsonOptions.Keys : SeriesJsonOptions.JsonOnly) |
                                (grainsPerMetric[metric] > 1 || exemplarIndex ? SeriesJsonOptions.ExemplarIndex : SeriesJsonOptions.JsonOnly);
                    try
                    {
                        // WaitAsync: a grain stuck in activation must not hold the query past its deadline.
                        answers[i] = await grains.GetGrain<IMetricGrain>(key).SelectJsonAsync(startMs, endMs, sets, parts).WaitAsync(ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        throw new ExemplarQueryException(ExemplarQueryFailure.Unavailable,
                            $"metric grain \"{key}\" failed: {e.GetBaseException().Message}", e);
                    }
                });
            return answers;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ExemplarQueryException(ExemplarQueryFailure.Timeout,
                $"query timed out after {options.Value.QueryTimeout} (Api:QueryTimeout) waiting for metric grains");
        }
    }

    /// <summary>Grain key (with its metric) → the matcher sets to ask it, in a fixed order (so ties in the merge are stable).</summary>
    private async Task<List<(string Metric, string Key, LabelMatcher[][] Sets)>> PlanAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets)
    {
        var setsByMetric = new Dictionary<string, List<LabelMatcher[]>>(StringComparer.Ordinal);
        var layouts = new Dictionary<string, MetricLayout>(StringComparer.Ordinal);
        foreach (var set in matcherSets)
        {
            var setArray = set.ToArray();
            var nameMatchers = setArray.Where(m => m.Name == LabelSet.MetricName).ToArray();
            var exact = nameMatchers.FirstOrDefault(m => m.Type == LabelMatchType.Equal);
            IEnumerable<string> candidates;
            if (exact is not null)
            {
                candidates = [exact.Value];
            }
            else
            {
                // The catalog narrows by the names and by its label index: {job="api"} asks only metrics with job="api".
                var matching = await grains.GetLayoutsMatchingAsync(setArray);
                foreach (var layout in matching) layouts[layout.Name] = layout;
                candidates = matching.Select(l => l.Name);
            }
            foreach (var name in candidates)
            {
                if (name.Length == 0 || !nameMatchers.All(m => m.Matches(name))) continue;
                if (!setsByMetric.TryGetValue(name, out var sets)) setsByMetric[name] = sets = [];
                sets.Add(setArray);
            }
        }

        // Named metrics not seen in a full catalog read: ask their catalog shard (one call each, in parallel).
        var unknown = setsByMetric.Keys.Where(n => !layouts.ContainsKey(n)).ToArray();
        var looked = await Task.WhenAll(unknown.Select(n => grains.Shard(n).GetLayoutAsync(n)));
        for (var i = 0; i < unknown.Length; i++)
        {
            // Not catalogued: ask the plain grain anyway, as before sharding, in case the catalog lost the name
            // (e.g. memory storage on a silo that left) — its grain re-registers within minutes.
            layouts[unknown[i]] = looked[i] ?? new MetricLayout(unknown[i], Unsharded: true, ShardSpan: 0, AutoShards: 0);
        }

        var plan = new List<(string, string, LabelMatcher[][])>();
        foreach (var (name, sets) in setsByMetric.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var setArray = sets.ToArray();
            foreach (var key in layouts[name].GrainKeys()) plan.Add((name, key, setArray));
        }
        return plan;
    }
}

public enum ExemplarQueryFailure
{
    /// <summary>A grain failed (activation, storage, silo gone): Prometheus' <c>unavailable</c>.</summary>
    Unavailable,

    /// <summary><c>Api:QueryTimeout</c> passed: Prometheus' <c>timeout</c>.</summary>
    Timeout,
}

/// <summary>The query could not be answered completely; carries what the HTTP error says.</summary>
public sealed class ExemplarQueryException(ExemplarQueryFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ExemplarQueryFailure Failure { get; } = failure;
}
