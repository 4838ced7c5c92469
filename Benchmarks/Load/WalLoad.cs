using System.Diagnostics;
using System.Globalization;
using OrleansExemplars.Grains.Wal;

namespace OrleansExemplars.Benchmarks.Load;

/// <summary>
/// WAL throughput on this machine's disk: concurrent appenders (as grains would append their batches) with fsync
/// group commit, then the time to replay everything written.
/// </summary>
public static class WalLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 5);
        var writers = Option(args, "--writers", 8);
        var perRecord = Option(args, "--exemplars-per-record", 100);
        var dir = Directory.CreateTempSubdirectory("oe-wal-bench-").FullName;
        // ~110 bytes per exemplar: a 32-hex trace id, a value, a timestamp and the series reference.
        var payload = new byte[perRecord * 110];
        new Random(1).NextBytes(payload);
        try
        {
            Console.WriteLine($"appending {payload.Length:N0}-byte records ({perRecord} exemplars each) from {writers} writers for {seconds} s in {dir}…");
            long records = 0;
            var stopwatch = Stopwatch.StartNew();
            await using (var wal = ExemplarWal.Open(new WalOptions { Directory = dir }))
            {
                var until = DateTime.UtcNow.AddSeconds(seconds);
                await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
                {
                    while (DateTime.UtcNow < until)
                    {
                        await wal.AppendAsync(payload);
                        Interlocked.Increment(ref records);
                    }
                })));
            }
            var appendSeconds = stopwatch.Elapsed.TotalSeconds;

            stopwatch.Restart();
            var stats = new WalReplayStats();
            var replayed = WalReader.Replay(dir, stats).LongCount();
            var replaySeconds = stopwatch.Elapsed.TotalSeconds;

            Console.WriteLine();
            Console.WriteLine("| records appended | exemplars/s (durable) | MB/s | exemplars replayed | replay seconds | replayed exemplars/s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {records:N0} | {records * perRecord / appendSeconds:N0} | {records * payload.Length / appendSeconds / 1e6:N1} | " +
                $"{replayed * perRecord:N0} | {replaySeconds:0.00} | {replayed * perRecord / replaySeconds:N0} |"));
            return replayed == records ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
