using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Tests.Kafka;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Integration;

/// <summary>The silo's WAL in a running cluster: it shrinks once grains persist, and it stays near its size bound.</summary>
public sealed class WalCheckpointTests
{
    private const int Metrics = 10;
    private const int SeriesPerMetric = 50;

    private static async Task WriteAsync(ExemplarSystem system, int requests)
    {
        for (var r = 0; r < requests; r++)
        {
            var series = Enumerable.Range(0, Metrics).SelectMany(m => Enumerable.Range(0, SeriesPerMetric).Select(s =>
                Series(("__name__", $"wal_metric_{m}"), ("job", "wal"), ("series", s.ToString()))
                    .WithSample(r, 1000 + r)
                    .WithExemplar(r, 1000 + r, ("trace_id", $"{r:x8}{m:x8}{s:x16}")))).ToArray();
            using var response = await system.Http.PostAsync("api/v1/write", SnappyContent(Request(series)));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
    }

    private static long Size(string directory) =>
        WalSegments.List(directory).Sum(s => new FileInfo(s.Path).Length);

    [Fact]
    public async Task Segments_are_deleted_once_the_grains_holding_their_records_have_persisted()
    {
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Wal:SegmentBytes"] = "16384",
            ["Wal:CheckpointInterval"] = "00:00:00.100",
            ["Exemplars:PersistInterval"] = "00:00:00.300",
        });
        var wal = system.SiloServices().GetRequiredService<SiloExemplarWal>().DirectoryPath!;
        await WriteAsync(system, 40);
        // 20 000 exemplars of ~100 B went through the log; once every ring is written only the open segment is left.
        Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(WalSegments.List(wal).Count == 1), TimeSpan.FromSeconds(30)),
            $"{WalSegments.List(wal).Count} segments, {Size(wal)} bytes left");
        Assert.True(Size(wal) <= 16384 + 8192);
    }

    [Fact]
    public async Task Past_its_size_bound_the_log_makes_the_oldest_grains_persist_and_shrinks()
    {
        const long maxBytes = 1024 * 1024;
        await using var system = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Wal:SegmentBytes"] = "65536",
            ["Wal:MaxBytes"] = maxBytes.ToString(),
            ["Wal:CheckpointInterval"] = "00:00:00.100",
            ["Exemplars:PersistInterval"] = "01:00:00", // only the size bound makes grains persist
        });
        var wal = system.SiloServices().GetRequiredService<SiloExemplarWal>().DirectoryPath!;
        await WriteAsync(system, 80); // ~4 MB through the log
        Assert.True(await KafkaTestData.EventuallyAsync(() => Task.FromResult(Size(wal) <= maxBytes), TimeSpan.FromSeconds(30)),
            $"the log stayed at {Size(wal)} bytes (bound {maxBytes})");

        // Nothing was lost on the way: every exemplar is still answered.
        var body = await system.Http.GetStringAsync("api/v1/query_exemplars?query=" + Uri.EscapeDataString("{job=\"wal\"}"));
        Assert.Equal(80 * Metrics * SeriesPerMetric, body.Split("\"trace_id\"").Length - 1);
    }
}
