using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// Remote-write messages with recent timestamps (TSDBs refuse samples outside their retention): message i belongs to
/// partition i % 4 and carries one sample for each of that partition's series, so per-series order is the message order.
/// </summary>
public static class ForwardTestData
{
    public const int SeriesPerMessage = 5;

    public static long BaseMs { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 3_600_000;

    public static WriteRequest Message(string job, int index, int partitions = 4)
    {
        var partition = index % partitions;
        var ts = BaseMs + index * 100L;
        var series = Enumerable.Range(0, SeriesPerMessage).Select(s =>
        {
            var t = Series(("__name__", $"fwd_metric_{s % 2}"), ("job", job), ("partition", partition.ToString()),
                ("series", s.ToString())).WithSample(index + s / 10.0, ts);
            return s == 0 ? t.WithExemplar(index, ts, ("trace_id", $"fwd-{index}")) : t;
        });
        return Request([.. series]);
    }

    /// <summary>(series key, timestamp, value) for every sample of the messages, as a TSDB would store them.</summary>
    public static HashSet<(string Series, long Timestamp, double Value)> Expected(string job, IEnumerable<int> messages,
        int partitions = 4) =>
        messages.SelectMany(i => Message(job, i, partitions).Timeseries.Select(ts => (Key(ts), ts.Samples[0].Timestamp, ts.Samples[0].Value)))
            .ToHashSet();

    public static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static string Key(TimeSeries ts) =>
        Key(ts.Labels.Select(l => KeyValuePair.Create(l.Name.ToStringUtf8(), l.Value.ToStringUtf8())));

    public static async Task<HashSet<(string Series, long Timestamp, double Value)>> ExportAsync(VictoriaMetricsServer vm, string job)
    {
        var exported = await vm.ExportAsync($"{{job=\"{job}\"}}");
        return exported.SelectMany(s => s.Points.Select(p => (Key(s.Labels), p.Timestamp, p.Value))).ToHashSet();
    }

    public static Dictionary<string, string?> Settings(KafkaMockCluster kafka, string topic, string group, params Uri[] endpoints)
    {
        var settings = Kafka.KafkaTestData.Settings(kafka, topic, group);
        settings["RemoteWrite:BatchSendDeadline"] = "00:00:00.100";
        for (var i = 0; i < endpoints.Length; i++) settings[$"RemoteWrite:Endpoints:{i}:Url"] = endpoints[i].ToString();
        return settings;
    }
}
