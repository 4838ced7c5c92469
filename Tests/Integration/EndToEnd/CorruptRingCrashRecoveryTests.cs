using System.Net;
using System.Text.RegularExpressions;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>
/// Real Silo and ApiHost processes: a ring is stored, the silo is restarted, takes more exemplars into its WAL and is
/// killed with SIGKILL before writing the ring again; then the stored ring is damaged on disk. The next silo replays the
/// WAL into the metric grain, whose activation quarantines the damaged ring and starts empty: what the WAL held (every
/// exemplar acknowledged since the ring was stored) comes back, nothing of the damaged ring does.
/// </summary>
public sealed partial class CorruptRingCrashRecoveryTests(ITestOutputHelper output)
{
    private const string Metric = "crashed_corrupt_metric";

    [Fact]
    public async Task After_a_crash_the_wal_replay_refills_a_grain_whose_stored_ring_was_damaged()
    {
        var storage = Directory.CreateTempSubdirectory("oe-corrupt-crash-grains-").FullName;
        var wal = Directory.CreateTempSubdirectory("oe-corrupt-crash-wal-").FullName;
        var siloPort = FreePort.Next();
        var cluster = new Dictionary<string, string>
        {
            ["Cluster__ClusterId"] = "corrupt-crash-" + Guid.NewGuid().ToString("N"),
            ["Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Cluster__GatewayPort"] = FreePort.Next().ToString(),
        };
        var silo = new Dictionary<string, string>(cluster)
        {
            ["Urls"] = $"http://127.0.0.1:{siloPort}",
            ["Storage__File__Directory"] = storage,
            ["Wal__Directory"] = wal,
            // Never written behind: after the kill, what the second run took is only in its WAL.
            ["Exemplars__PersistInterval"] = "01:00:00",
        };
        var apiPort = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            await using var api = HostProcess.Start("ApiHost", new Dictionary<string, string>(cluster) { ["Urls"] = $"http://127.0.0.1:{apiPort}" });

            await using (var first = HostProcess.Start("Silo", silo))
            {
                await WriteAsync(http, "stored", 1_000);
                await first.TerminateAsync(TimeSpan.FromSeconds(60)); // the ring is written, the WAL deleted
            }
            await using (var second = HostProcess.Start("Silo", silo))
            {
                await WriteAsync(http, "logged", 5_000); // activates from the stored ring, logged to the WAL only
                await second.KillAsync();
            }
            var ring = Directory.GetFiles(storage, GrainFileNames.Encode(Metric) + ".state", SearchOption.AllDirectories).Single();
            var bytes = await File.ReadAllBytesAsync(ring);
            bytes[bytes.Length / 2] ^= 0xFF;
            await File.WriteAllBytesAsync(ring, bytes);

            await using var third = HostProcess.Start("Silo", silo);
            string answer = "";
            var refilled = await KafkaTestData.EventuallyAsync(async () =>
            {
                answer = await QueryAsync(http);
                return answer.Contains("logged-", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(120));
            Assert.True(refilled, $"the WAL's exemplars did not come back: {answer}\n{third.Output}");
            Assert.Equal(10, TraceIds().Matches(answer).Count(m => m.Value.StartsWith("logged-", StringComparison.Ordinal)));
            Assert.DoesNotContain("stored-", answer);
            Assert.Contains("Replayed WAL", third.Output);

            var metrics = await http.GetStringAsync($"http://127.0.0.1:{siloPort}/metrics");
            Assert.Matches(@"(?m)^oe_grain_states_quarantined_total(\{[^}]*\})? 1$", metrics);
            var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(storage, FileGrainStorage.QuarantineDirectoryName), "*", SearchOption.AllDirectories));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(quarantined));
            Assert.Contains(Metric, third.Output); // the log names the metric whose ring was set aside
            output.WriteLine(string.Join("\n", third.Output.Split('\n').Where(l => l.Contains("does not decode", StringComparison.Ordinal))));
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
            Directory.Delete(wal, recursive: true);
        }
    }

    /// <summary>Ten exemplars of <see cref="Metric"/>, retried until the (re)starting cluster acknowledges them.</summary>
    private async Task WriteAsync(HttpClient http, string prefix, long timestampMs)
    {
        var series = Series(("__name__", Metric), ("job", "crash")).WithSample(1, timestampMs);
        for (var i = 0; i < 10; i++) series.WithExemplar(i, timestampMs + i, ("trace_id", $"{prefix}-{i}"));
        var request = Request(series);
        var acknowledged = await KafkaTestData.EventuallyAsync(async () =>
        {
            try
            {
                using var response = await http.PostAsync("api/v1/write", SnappyContent(request));
                return response.StatusCode == HttpStatusCode.NoContent;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(120));
        Assert.True(acknowledged, $"the '{prefix}' write was never acknowledged");
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} '{prefix}' acknowledged");
    }

    private static async Task<string> QueryAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("api/v1/query_exemplars?query=" + Metric);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : "";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    [GeneratedRegex("(stored|logged)-[0-9]+")]
    private static partial Regex TraceIds();
}
