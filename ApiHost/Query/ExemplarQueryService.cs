using Microsoft.Extensions.Options;
using OrleansExemplars.ApiHost.Hosting;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;

namespace OrleansExemplars.ApiHost.Query;

/// <summary>
/// Answers an exemplar query by fanning out to the metric grains that can hold matches: a matcher set naming its
/// metric (<c>__name__="x"</c>) asks that grain alone; any other set asks every catalogued name its <c>__name__</c>
/// matchers accept. Grains are asked in parallel, at most <c>Api:QueryConcurrency</c> at once.
/// </summary>
public sealed class ExemplarQueryService(IGrainFactory grains, IOptions<ApiHostOptions> options)
{
    public async Task<List<SeriesExemplars>> SelectAsync(long startMs, long endMs,
        IReadOnlyList<IReadOnlyList<LabelMatcher>> matcherSets, CancellationToken cancellationToken)
    {
        var setsByMetric = new Dictionary<string, List<LabelMatcher[]>>(StringComparer.Ordinal);
        string[]? catalog = null;
        foreach (var set in matcherSets)
        {
            var setArray = set.ToArray();
            var nameMatchers = setArray.Where(m => m.Name == LabelSet.MetricName).ToArray();
            var exact = nameMatchers.FirstOrDefault(m => m.Type == MatchType.Equal);
            IEnumerable<string> candidates;
            if (exact is not null)
            {
                candidates = [exact.Value];
            }
            else
            {
                catalog ??= await grains.GetAllNamesAsync();
                candidates = catalog;
            }
            foreach (var name in candidates)
            {
                if (name.Length == 0 || !nameMatchers.All(m => m.Matches(name))) continue;
                if (!setsByMetric.TryGetValue(name, out var sets)) setsByMetric[name] = sets = [];
                sets.Add(setArray);
            }
        }

        var results = new List<SeriesExemplars>();
        await Parallel.ForEachAsync(setsByMetric,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.QueryConcurrency, CancellationToken = cancellationToken },
            async (entry, _) =>
            {
                var found = await grains.GetGrain<IMetricGrain>(entry.Key)
                    .SelectAsync(startMs, endMs, entry.Value.ToArray());
                if (found.Length == 0) return;
                lock (results) results.AddRange(found);
            });
        results.Sort(static (a, b) => a.Series.CompareTo(b.Series));
        return results;
    }
}
