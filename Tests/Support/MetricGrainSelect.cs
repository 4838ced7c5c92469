using System.Text.Json;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Json;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Tests;

/// <summary>
/// What a metric grain holds, as objects: its JSON answer (<see cref="IMetricGrain.SelectJsonAsync"/>, the only query
/// the server asks) read back, with the exact timestamps and values of the answer's exemplar index.
/// </summary>
public static class MetricGrainSelect
{
    public static async Task<SeriesExemplars[]> SelectAsync(this IMetricGrain grain, long startMs, long endMs,
        LabelMatcher[][] matcherSets)
    {
        var batch = await grain.SelectJsonAsync(startMs, endMs, matcherSets, SeriesJsonOptions.Keys | SeriesJsonOptions.ExemplarIndex);
        var result = new SeriesExemplars[batch.Count];
        for (var s = 0; s < batch.Count; s++)
        {
            var (first, end) = batch.ExemplarRange(s);
            var exemplars = new Exemplar[end - first];
            var offset = batch.SeriesJsonStart(s) + batch.HeadLength(s);
            for (var e = first; e < end; e++)
            {
                var length = batch.ExemplarFragmentLength(e);
                using var fragment = JsonDocument.Parse(batch.Json.AsMemory(offset, length));
                var labels = fragment.RootElement.GetProperty("labels").EnumerateObject()
                    .Select(p => new Label(p.Name, p.Value.GetString()!));
                exemplars[e - first] = new Exemplar(LabelSet.From(labels),
                    BitConverter.Int64BitsToDouble(batch.ExemplarValueBits(e)), batch.ExemplarTimestamp(e), batch.ExemplarHasTimestamp(e));
                offset += length + 1;
            }
            result[s] = new SeriesExemplars(LabelWireFormat.Decode(batch.Key(s)), exemplars);
        }
        return result;
    }
}
