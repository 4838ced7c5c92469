using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// <c>/api/v1/write</c> while the TSDB refuses everything (a real remote-write receiver on loopback answering 503): past
/// <c>RemoteWrite:MaxQueuedBytes</c> the API host answers 503 at once with <c>Retry-After</c>, and once the TSDB is back
/// the resends and the batches nobody waits for any more all arrive, each sample once.
/// </summary>
public sealed class HttpIngestQueueCapTests
{
    private const int Requests = 10;
    private const int SeriesPerRequest = 60;
    private const long Cap = 64 * 1024;
    private const long BaseMs = 1_700_000_000_000;

    [Fact]
    public async Task A_full_forward_queue_answers_503_with_retry_after_at_once_and_after_the_outage_every_sample_arrives_once()
    {
        await using var tsdb = await LoopbackRemoteWriteReceiver.StartAsync();
        tsdb.DefaultResponse = new ScriptedResponse(503, "down for maintenance");
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = tsdb.Url.ToString(),
            ["RemoteWrite:Endpoints:0:MinBackoff"] = "00:00:00.010",
            ["RemoteWrite:Endpoints:0:MaxBackoff"] = "00:00:00.100",
            ["RemoteWrite:Shards"] = "1",
            ["RemoteWrite:BatchSendDeadline"] = "00:00:00.020",
            ["RemoteWrite:MaxQueuedBytes"] = Cap.ToString(CultureInfo.InvariantCulture),
            ["Api:ForwardTimeout"] = "00:00:01",
        });
        var budget = system.SiloServices().GetRequiredService<ForwardQueueBudget>();

        // The TSDB is down: each request is queued until the cap is reached, then refused without waiting.
        var answers = new List<(HttpStatusCode Status, string Body, string? RetryAfter)>();
        long peakQueued = 0;
        for (var i = 0; i < Requests; i++)
        {
            answers.Add(await PostAsync(system, i));
            peakQueued = Math.Max(peakQueued, budget.QueuedBytes);
        }
        var summary = string.Join("\n", answers.Select((a, i) => $"{i}: {(int)a.Status} {a.Body}"));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(answers, a => Assert.Equal("5", a.RetryAfter));
        Assert.Contains("have not accepted the samples yet", answers[0].Body); // queued, waited for, timed out
        var full = answers.Where(a => a.Body.Contains("forward queue is full", StringComparison.Ordinal)).ToList();
        Assert.True(full.Count > 0, "no request was refused for a full queue:\n" + summary);
        foreach (var (_, body, _) in full)
        {
            using var json = JsonDocument.Parse(body);
            Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
            Assert.Equal("unavailable", json.RootElement.GetProperty("errorType").GetString());
            Assert.Contains("RemoteWrite:MaxQueuedBytes", json.RootElement.GetProperty("error").GetString());
        }
        // One batch may exceed what is left of the cap only when the queue is empty; the cap holds otherwise.
        var oneRequest = peakQueued / Math.Max(1, Requests - full.Count);
        Assert.True(peakQueued <= Cap + oneRequest, $"{peakQueued} bytes queued with a cap of {Cap}\n{summary}");

        // The TSDB is back. Request 0's sender never comes back; every other sender resends until it gets a 2xx.
        tsdb.DefaultResponse = ScriptedResponse.NoContent;
        for (var i = 1; i < Requests; i++)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            HttpStatusCode status;
            while ((status = (await PostAsync(system, i)).Status) != HttpStatusCode.NoContent && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            Assert.True(status == HttpStatusCode.NoContent, $"request {i} still answered {(int)status} after the TSDB came back");
        }

        // Every sample arrived once: the resends did not queue again what was queued, and request 0's batch went too.
        Dictionary<(string, long), int> arrived = [];
        var complete = await Kafka.KafkaTestData.EventuallyAsync(() =>
        {
            arrived = tsdb.Requests.Where(r => r.Status is >= 200 and < 300).SelectMany(r => r.Series)
                .SelectMany(s => s.Samples.Select(p => (s.Labels.ToString(), p.TimestampMs)))
                .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            return Task.FromResult(arrived.Count == Requests * SeriesPerRequest && budget.QueuedBytes == 0);
        }, TimeSpan.FromSeconds(60));
        Assert.True(complete, $"{arrived.Count} of {Requests * SeriesPerRequest} samples arrived; {budget.QueuedBytes} bytes still queued");
        Assert.All(arrived, a => Assert.True(a.Value == 1, $"{a.Key} arrived {a.Value} times"));
    }

    private static async Task<(HttpStatusCode Status, string Body, string? RetryAfter)> PostAsync(ExemplarSystem system, int request)
    {
        var series = Enumerable.Range(0, SeriesPerRequest).Select(s =>
            Series(("__name__", "cap_metric"), ("job", "cap"), ("series", s.ToString(CultureInfo.InvariantCulture)))
                .WithSample(request, BaseMs + request * 1000L)).ToArray();
        using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter?.ToString());
    }
}
