using Microsoft.Extensions.Options;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;
using OrleansExemplars.Grains.Exemplars;

namespace OrleansExemplars.Grains;

/// <summary>Thin Orleans shell around one <see cref="ExemplarRing"/> per metric name.</summary>
public sealed class MetricGrain(IOptions<ExemplarStorageOptions> options, IngestMetrics metrics) : Grain, IMetricGrain
{
    private readonly ExemplarRing _ring = new(options.Value.MaxExemplarsPerMetric);
    private bool _registered;

    public async Task<AppendResult> AppendAsync(SeriesExemplars[] batch)
    {
        int appended = 0, duplicates = 0, outOfOrder = 0, tooLong = 0;
        foreach (var series in batch)
        {
            foreach (var exemplar in series.Exemplars)
            {
                switch (_ring.Append(series.Series, exemplar))
                {
                    case AppendOutcome.Appended: appended++; break;
                    case AppendOutcome.Duplicate: duplicates++; break;
                    case AppendOutcome.OutOfOrder: outOfOrder++; break;
                    case AppendOutcome.LabelSetTooLong: tooLong++; break;
                }
            }
        }
        var result = new AppendResult(appended, duplicates, outOfOrder, tooLong);
        metrics.RecordAppend(result);
        // Registered once per activation, after the first stored exemplar: the catalog lists names worth querying.
        if (!_registered && appended > 0)
        {
            await GrainFactory.Shard(this.GetPrimaryKeyString()).RegisterAsync(this.GetPrimaryKeyString());
            _registered = true;
        }
        return result;
    }

    public Task<SeriesExemplars[]> SelectAsync(long startMs, long endMs, LabelMatcher[][] matcherSets) =>
        Task.FromResult(_ring.Select(startMs, endMs, matcherSets).ToArray());
}
