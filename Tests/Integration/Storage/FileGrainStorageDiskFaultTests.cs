using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansExemplars.Grains;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Storage;

/// <summary>
/// <see cref="FileGrainStorage"/> on an ext4 whose block device stops taking new blocks: fsync of the state file and
/// of its directory fails, and a write must then fail instead of claiming a state a power cut takes away.
/// </summary>
public sealed class FileGrainStorageDiskFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(MetricRingState).Assembly))
        .BuildServiceProvider();

    private FileGrainStorage NewStorage(string root) => new(
        "test", root, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
        _services.GetRequiredService<IActivatorProvider>(), NullLogger<FileGrainStorage>.Instance);

    private static byte[] Snapshot(int version) => Enumerable.Range(0, 64 * 1024).Select(i => (byte)((i * 31 + version) % 251)).ToArray();

    [Fact]
    public async Task A_write_the_disk_refuses_fails_and_what_was_acknowledged_survives_a_power_cut()
    {
        using var device = StarvableBlockDevice.Create();
        var root = Path.Combine(device.Path, "grains");
        var metric = GrainId.Create("metric", "http_request_duration_seconds");
        var state = new GrainState<MetricRingState>(new MetricRingState { Snapshot = Snapshot(1) });
        await NewStorage(root).WriteStateAsync("ring", metric, state);
        var acknowledged = 1;

        device.Starve();
        var storage = NewStorage(root);
        var refused = 0;
        for (var version = 2; version <= 4; version++)
        {
            state.State!.Snapshot = Snapshot(version);
            try
            {
                await storage.WriteStateAsync("ring", metric, state);
                acknowledged = version;
            }
            catch (IOException e)
            {
                refused++;
                output.WriteLine($"version {version} refused: {e.Message}");
            }
        }
        Assert.True(refused > 0, "the device took no new block, yet every write was acknowledged");

        device.Feed();
        state.State!.Snapshot = Snapshot(5);
        await storage.WriteStateAsync("ring", metric, state); // the grain's retry is not refused as a stale ETag
        acknowledged = 5;

        device.Remount(); // what the page cache held but the device never got is gone now
        var read = new GrainState<MetricRingState>(new MetricRingState());
        await NewStorage(root).ReadStateAsync("ring", metric, read);
        Assert.True(read.RecordExists);
        Assert.Equal(Snapshot(acknowledged), read.State!.Snapshot);
    }

    [Fact]
    public async Task A_write_while_the_disk_fails_is_refused_and_the_previous_state_reads_back()
    {
        using var device = StarvableBlockDevice.Create();
        var root = Path.Combine(device.Path, "grains");
        var metric = GrainId.Create("metric", "rpc_latency_seconds");
        var state = new GrainState<MetricRingState>(new MetricRingState { Snapshot = Snapshot(1) });
        var storage = NewStorage(root);
        await storage.WriteStateAsync("ring", metric, state);

        device.Starve();
        state.State!.Snapshot = Snapshot(2);
        var e = await Assert.ThrowsAnyAsync<IOException>(() => storage.WriteStateAsync("ring", metric, state));
        output.WriteLine(e.Message);
        Assert.Contains("fsync of", e.Message, StringComparison.Ordinal);

        device.Feed();
        device.Remount();
        var read = new GrainState<MetricRingState>(new MetricRingState());
        await NewStorage(root).ReadStateAsync("ring", metric, read);
        Assert.True(read.RecordExists);
        Assert.Equal(Snapshot(1), read.State!.Snapshot);
    }

    public void Dispose() => _services.Dispose();
}
