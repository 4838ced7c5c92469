using OrleansExemplars.Prometheus.Json;

namespace OrleansExemplars.ApiHost.Http;

/// <summary>
/// The <c>limit</c> of <c>query_exemplars</c>: at most that many exemplars in the whole answer, the newest ones (a
/// dashboard wants the recent dots; the oldest of a wide range are the first to go). Ties at the cut are broken by
/// grain and ring order, so the same data gives the same answer. Prometheus' own <c>limit</c> parameters
/// (<c>series</c>, <c>labels</c>, 0 = no limit) are the model, including the warning on a truncated answer.
/// </summary>
public static class ExemplarLimit
{
    public const string TruncatedWarning = "results truncated due to limit";

    /// <summary>Parses <c>limit</c> as Prometheus' <c>parseLimitParam</c> does: empty is 0 (no limit), negative is an error.</summary>
    public static bool TryParse(string? value, out int limit, out string error)
    {
        limit = 0;
        error = "";
        if (string.IsNullOrEmpty(value)) return true;
        if (!int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out limit))
        {
            error = $"invalid parameter \"limit\": cannot parse \"{value}\" to an integer";
            return false;
        }
        if (limit < 0)
        {
            error = "invalid parameter \"limit\": limit must be non-negative";
            return false;
        }
        return true;
    }

    /// <summary>
    /// Which exemplars stay when the answers hold more than <paramref name="limit"/>; <c>null</c> when all do. The
    /// answers must carry their exemplar index (<see cref="SeriesJsonOptions.ExemplarIndex"/>).
    /// </summary>
    public static Func<int, int, bool>? Newest(IReadOnlyList<SeriesJsonBatch> answers, int limit)
    {
        var total = 0L;
        foreach (var a in answers) total += a.Exemplars.Length / SeriesJsonBatch.ExemplarEntrySize;
        if (limit <= 0 || total <= limit) return null;

        var all = new (long Timestamp, int Batch, int Exemplar)[total];
        var n = 0;
        for (var b = 0; b < answers.Count; b++)
        {
            var count = answers[b].Exemplars.Length / SeriesJsonBatch.ExemplarEntrySize;
            for (var e = 0; e < count; e++) all[n++] = (answers[b].ExemplarTimestamp(e), b, e);
        }
        // The limit newest: a partial order is enough, but a sort of what one query returns costs little next to the JSON.
        Array.Sort(all, static (x, y) => x.Timestamp != y.Timestamp ? y.Timestamp.CompareTo(x.Timestamp)
            : x.Batch != y.Batch ? x.Batch.CompareTo(y.Batch) : x.Exemplar.CompareTo(y.Exemplar));
        var kept = new bool[answers.Count][];
        for (var b = 0; b < answers.Count; b++) kept[b] = new bool[answers[b].Exemplars.Length / SeriesJsonBatch.ExemplarEntrySize];
        for (var i = 0; i < limit; i++) kept[all[i].Batch][all[i].Exemplar] = true;
        return (b, e) => kept[b][e];
    }
}
