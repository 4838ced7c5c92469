using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansExemplars.Grains;
using OrleansExemplars.Silo.Storage;
using Xunit;
using Xunit.Abstractions;

namespace OrleansExemplars.Tests.Storage;

/// <summary><see cref="FileGrainStorage"/> on a real temporary directory, with Orleans' real binary serializer.</summary>
public sealed class FileGrainStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "oe-file-storage-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(MetricRingState).Assembly))
        .BuildServiceProvider();
    private readonly ITestOutputHelper _output;

    public FileGrainStorageTests(ITestOutputHelper output) => _output = output;

    private FileGrainStorage NewStorage() => new(
        "test", _root, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
        _services.GetRequiredService<IActivatorProvider>(), NullLogger<FileGrainStorage>.Instance);

    private static GrainId Metric(string name) => GrainId.Create("metric", name);

    private static GrainState<MetricRingState> State(byte[]? snapshot = null) => new(new MetricRingState { Snapshot = snapshot });

    [Fact]
    public async Task Odd_keys_round_trip_to_distinct_files_with_short_names()
    {
        var storage = NewStorage();
        var keys = new[]
        {
            "a/b:c", "a_b_c", "a%2fb%3ac", "../../etc/passwd", ".", "..", "Up", "up", "ünïcødé_мetric_指标_🙂",
            "with space\tand\nnewline", new string('x', 300), new string('x', 300) + "y", new string('é', 200),
            string.Concat(Enumerable.Repeat("a/", 200)),
        };
        for (var i = 0; i < keys.Length; i++)
        {
            await storage.WriteStateAsync("ring", Metric(keys[i]), State([(byte)i, 1, 2, 3]));
        }

        var fresh = NewStorage();
        for (var i = 0; i < keys.Length; i++)
        {
            var state = State();
            await fresh.ReadStateAsync("ring", Metric(keys[i]), state);
            Assert.True(state.RecordExists, keys[i]);
            Assert.Equal([(byte)i, 1, 2, 3], state.State!.Snapshot);
        }

        var files = Directory.GetFiles(_root, "*", SearchOption.AllDirectories);
        Assert.Equal(keys.Length, files.Length);
        Assert.All(files, f => Assert.StartsWith(_root + Path.DirectorySeparatorChar, Path.GetFullPath(f)));
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            Assert.True(Encoding.UTF8.GetByteCount(name) <= 255 - 4, $"{name}: {name.Length} bytes");
            Assert.Equal(name.ToLowerInvariant(), name); // no two keys collide on a case-insensitive volume
        }
        // Short names decode back to their key; shortened ones carry a hash and the key lives in the file's header.
        foreach (var key in keys)
        {
            var encoded = GrainFileNames.Encode(key);
            Assert.Equal(encoded.Contains('~') ? null : key, GrainFileNames.DecodeString(encoded));
        }
        Assert.Equal("a%2fb%3ac", GrainFileNames.Encode("a/b:c"));
        Assert.Equal("", GrainFileNames.DecodeString(GrainFileNames.Encode("")));
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_throws_and_keeps_the_stored_state()
    {
        var storage = NewStorage();
        var first = State([1]);
        await storage.WriteStateAsync("ring", Metric("m"), first);
        Assert.NotNull(first.ETag);

        // A second activation that read before the write (or never read) holds no ETag.
        var stale = State([2]);
        var e = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("ring", Metric("m"), stale));
        Assert.Equal(first.ETag, e.StoredEtag);
        Assert.Null(e.CurrentEtag);

        var wrong = State([3]);
        wrong.ETag = Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("ring", Metric("m"), wrong));

        var read = State();
        await storage.ReadStateAsync("ring", Metric("m"), read);
        Assert.Equal([1], read.State!.Snapshot);
        Assert.Equal(first.ETag, read.ETag);

        // The holder of the current ETag writes, and gets a new one.
        var previous = first.ETag;
        first.State!.Snapshot = [4];
        await storage.WriteStateAsync("ring", Metric("m"), first);
        Assert.NotEqual(previous, first.ETag);
        // A record that was never written cannot be overwritten by someone who thinks it exists.
        var ghost = State([5]);
        ghost.ETag = previous;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("ring", Metric("other"), ghost));
    }

    [Fact]
    public async Task Clear_deletes_the_file_and_checks_the_etag()
    {
        var storage = NewStorage();
        var state = State([1, 2]);
        await storage.WriteStateAsync("ring", Metric("a/b:c"), state);
        var path = storage.PathOf("ring", Metric("a/b:c"));
        Assert.True(File.Exists(path));

        var stale = State();
        stale.ETag = Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("ring", Metric("a/b:c"), stale));
        Assert.True(File.Exists(path));

        await storage.ClearStateAsync("ring", Metric("a/b:c"), state);
        Assert.False(File.Exists(path));
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Null(state.State!.Snapshot);

        var read = State([9]);
        await storage.ReadStateAsync("ring", Metric("a/b:c"), read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Null(read.State!.Snapshot);

        // Cleared is like never written: a fresh write (no ETag) succeeds.
        await storage.WriteStateAsync("ring", Metric("a/b:c"), State([3]));
    }

    [Fact]
    public async Task A_temporary_file_left_by_a_crash_is_ignored_and_replaced()
    {
        var storage = NewStorage();
        var state = State([1]);
        await storage.WriteStateAsync("ring", Metric("m"), state);
        var path = storage.PathOf("ring", Metric("m"));
        var temp = path[..^".state".Length] + ".state.tmp";
        await File.WriteAllBytesAsync(temp, [0xde, 0xad]); // torn write: the rename never happened

        var read = State();
        await NewStorage().ReadStateAsync("ring", Metric("m"), read);
        Assert.Equal([1], read.State!.Snapshot);

        read.State!.Snapshot = [2];
        await storage.WriteStateAsync("ring", Metric("m"), read);
        Assert.False(File.Exists(temp));
        var again = State();
        await NewStorage().ReadStateAsync("ring", Metric("m"), again);
        Assert.Equal([2], again.State!.Snapshot);
    }

    [Fact]
    public async Task The_file_is_the_binary_snapshot_plus_a_small_header()
    {
        var snapshot = Enumerable.Range(0, 31_000).Select(i => (byte)i).ToArray();
        var storage = NewStorage();
        await storage.WriteStateAsync("ring", Metric("http_request_duration_seconds_bucket"), State(snapshot));
        var size = new FileInfo(storage.PathOf("ring", Metric("http_request_duration_seconds_bucket"))).Length;
        _output.WriteLine($"{snapshot.Length} B snapshot -> {size} B file ({size - snapshot.Length} B of header and Orleans envelope)");
        Assert.InRange(size - snapshot.Length, 1, 100);
    }

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
