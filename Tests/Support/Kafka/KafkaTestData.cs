using System.Net;
using System.Text.Json;
using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Kafka;

/// <summary>
/// Remote-write messages for Kafka tests. Every series belongs to one partition (a <c>partition</c> label), as a
/// producer keying by series would do, so each series' exemplars arrive in timestamp order.
/// </summary>
public static class KafkaTestData
{
    public const string Job = "kafka-test";
    public const int Metrics = 5;
    public const int SeriesPerMetric = 2;

    /// <summary>Message <paramref name="index"/> for partition index % 4: one exemplar on each of its 10 series.</summary>
    public static WriteRequest Message(int index, int partitions = 4)
    {
        var partition = index % partitions;
        var series = new List<TimeSeries>();
        for (var m = 0; m < Metrics; m++)
        {
            for (var s = 0; s < SeriesPerMetric; s++)
            {
                series.Add(Series(("__name__", $"kafka_metric_{m}"), ("job", Job), ("partition", partition.ToString()),
                        ("series", s.ToString()))
                    .WithSample(index, 1_000_000 + index * 1000L)
                    .WithExemplar(index, 1_000_000 + index * 1000L, ("trace_id", TraceId(index, m, s))));
            }
        }
        return Request([.. series]);
    }

    public static string TraceId(int index, int metric, int series) => $"msg{index}-m{metric}-s{series}";

    public static IEnumerable<string> TraceIds(IEnumerable<int> messages) =>
        messages.SelectMany(i => Enumerable.Range(0, Metrics)
            .SelectMany(m => Enumerable.Range(0, SeriesPerMetric).Select(s => TraceId(i, m, s))));

    public static byte[] Raw(WriteRequest request) => request.ToByteArray();

    public static byte[] Snappy(WriteRequest request) => Snappier.Snappy.CompressToArray(request.ToByteArray());

    /// <summary>
    /// Every trace id the API host returns for the test metrics, in answer order (duplicates kept). The metrics are
    /// named, so the query goes to their grains directly, not through the catalog.
    /// </summary>
    public static async Task<List<string>> QueryTraceIdsAsync(HttpClient http)
    {
        var query = string.Join(" or ", Enumerable.Range(0, Metrics).Select(m => $"kafka_metric_{m}{{job=\"{Job}\"}}"));
        using var response = await http.GetAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
            .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString()!)
            .ToList();
    }

    /// <summary>Polls <paramref name="condition"/> until true or the time is up.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(200);
        }
        return await condition();
    }

    /// <summary>Waits until the group's committed offsets equal the topic's end offsets (everything delivered).</summary>
    public static async Task AssertCommittedToEndAsync(KafkaMockCluster kafka, string topic, string group)
    {
        var end = kafka.EndOffsets(topic);
        Assert.True(await EventuallyAsync(() => Task.FromResult(
            kafka.CommittedOffsets(topic, group).OrderBy(p => p.Key).SequenceEqual(end.OrderBy(p => p.Key))),
            TimeSpan.FromSeconds(30)), "committed offsets did not reach the end offsets");
    }

    public static Dictionary<string, string?> Settings(KafkaMockCluster kafka, string topic, string group) => new()
    {
        ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
        ["Kafka:Topics:0"] = topic,
        ["Kafka:ConsumerGroup"] = group,
        ["Kafka:DeadLetterTopic"] = topic + "-dead-letter",
        ["Kafka:CommitInterval"] = "00:00:00.200",
        ["Kafka:MetadataRefreshInterval"] = "00:00:01",
    };
}
