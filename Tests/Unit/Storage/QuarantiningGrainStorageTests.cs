using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansExemplars.Grains;
using OrleansExemplars.Grains.Exemplars;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Silo.Storage;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Storage;

/// <summary>
/// <see cref="QuarantiningGrainStorage"/> over a real <see cref="FileGrainStorage"/> directory with Orleans' real
/// serializer, as the silo composes them: damaged state is set aside and read as empty, undamaged and old-format state
/// reads as before, and a store that cannot be read is not mistaken for damage.
/// </summary>
public sealed class QuarantiningGrainStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "oe-quarantine-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(MetricRingState).Assembly))
        .AddMetrics()
        .BuildServiceProvider();
    private readonly ListLoggerProvider _logs = new();
    private readonly MeterRecorder _meters;
    private readonly FileGrainStorage _files;
    private readonly QuarantiningGrainStorage _storage;

    public QuarantiningGrainStorageTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _meters = new MeterRecorder(meterFactory, GrainStorageMetrics.MeterName);
        var activators = _services.GetRequiredService<IActivatorProvider>();
        _files = new FileGrainStorage("exemplars", _root,
            new DecodingGrainStorageSerializer(new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>())),
            activators, NullLogger<FileGrainStorage>.Instance);
        using var loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        _storage = new QuarantiningGrainStorage("exemplars", _files, _files, activators, new GrainStorageMetrics(meterFactory),
            loggers.CreateLogger<QuarantiningGrainStorage>());
    }

    private static readonly GrainId Grain = GrainId.Create("metric", "http/requests:total");

    private static byte[] Snapshot(params string[] traceIds)
    {
        var ring = new ExemplarRing(10);
        for (var i = 0; i < traceIds.Length; i++)
        {
            ring.Append(LabelSet.From(("__name__", "http/requests:total")), new Exemplar(LabelSet.From(("trace_id", traceIds[i])), i, 1_000 + i, true));
        }
        return ExemplarRingSnapshot.Write(ring);
    }

    private static GrainState<MetricRingState> State(byte[]? snapshot = null) => new(new MetricRingState { Snapshot = snapshot });

    private static List<string> TraceIds(ExemplarRing ring) =>
        ring.EntriesOldestFirst().Select(e => e.Exemplar.Labels.Get("trace_id")).ToList();

    [Fact]
    public async Task A_damaged_file_is_moved_to_quarantine_counted_logged_and_read_as_empty_and_the_next_write_starts_anew()
    {
        await _storage.WriteStateAsync("ring", Grain, State(Snapshot("a", "b")));
        var path = _files.PathOf("ring", Grain);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^5] ^= 0x10; // inside the snapshot
        await File.WriteAllBytesAsync(path, bytes);

        var read = State([1]);
        await _storage.ReadStateAsync("ring", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, read.State!.TakeRing(10).Count);
        Assert.False(File.Exists(path));
        var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(_root, FileGrainStorage.QuarantineDirectoryName), "*", SearchOption.AllDirectories));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(quarantined));
        Assert.Equal(1, _meters.Sum(GrainStorageMetrics.QuarantinedInstrument));
        var log = Assert.Single(_logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("'http/requests:total'", log.Message); // the metric, as the grain key
        Assert.Contains("CRC-32C", log.Message);
        Assert.Contains(quarantined, log.Message);

        // The grain's next write needs no ETag: the record is gone. What it writes reads back, with nothing quarantined.
        read.State.Snapshot = Snapshot("c");
        await _storage.WriteStateAsync("ring", Grain, read);
        var again = State();
        await _storage.ReadStateAsync("ring", Grain, again);
        Assert.Equal(["c"], TraceIds(again.State!.TakeRing(10)));
        Assert.Equal(1, _meters.Sum(GrainStorageMetrics.QuarantinedInstrument));
    }

    [Fact]
    public async Task A_file_whose_checksums_hold_but_whose_ring_snapshot_is_damaged_is_quarantined_too()
    {
        // As a writer with a bug, or a version 1 file, would leave it: the file is fine, its ring is not.
        var damaged = Snapshot("a", "b");
        damaged[^3] ^= 0x01;
        await _files.WriteStateAsync("ring", Grain, State(damaged));

        var read = State();
        await _storage.ReadStateAsync("ring", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Equal(1, _meters.Sum(GrainStorageMetrics.QuarantinedInstrument));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("exemplar ring snapshot fails its CRC-32C check"));
    }

    [Fact]
    public async Task A_version_1_file_holding_a_version_1_snapshot_still_reads_and_is_rewritten_as_version_2()
    {
        var v2 = Snapshot("old-1", "old-2");
        byte[] v1Snapshot = [.. v2[..4], 1, .. v2[9..]];
        var payload = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>())
            .Serialize(new MetricRingState { Snapshot = v1Snapshot }).ToArray();
        var path = _files.PathOf("ring", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var etag = Guid.NewGuid();
        await File.WriteAllBytesAsync(path, Version1File(etag, "ring", Grain, payload));

        var read = State();
        await _storage.ReadStateAsync("ring", Grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(etag.ToString("N"), read.ETag);
        var ring = read.State!.TakeRing(10);
        Assert.Equal(["old-1", "old-2"], TraceIds(ring));

        read.State.Snapshot = ExemplarRingSnapshot.Write(ring);
        await _storage.WriteStateAsync("ring", Grain, read);
        Assert.Equal((byte)2, (await File.ReadAllBytesAsync(path))[4]);
        Assert.Equal(0, _meters.Sum(GrainStorageMetrics.QuarantinedInstrument));
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_is_an_error_not_damage()
    {
        // A directory where the state file should be: reading it fails, as a lost mount or a permission would.
        var path = _files.PathOf("ring", Grain);
        Directory.CreateDirectory(path);

        await Assert.ThrowsAnyAsync<Exception>(() => _storage.ReadStateAsync("ring", Grain, State()));
        Assert.True(Directory.Exists(path));
        Assert.False(Directory.Exists(Path.Combine(_root, FileGrainStorage.QuarantineDirectoryName)));
        Assert.Equal(0, _meters.Sum(GrainStorageMetrics.QuarantinedInstrument));
    }

    /// <summary>The layout FileGrainStorage wrote before its checksums.</summary>
    private static byte[] Version1File(Guid etag, string stateName, GrainId grainId, byte[] payload)
    {
        var file = new List<byte>("OEGS\u0001"u8.ToArray());
        file.AddRange(etag.ToByteArray());
        foreach (var part in new[] { Encoding.UTF8.GetBytes(stateName), grainId.Type.AsSpan().ToArray(), grainId.Key.AsSpan().ToArray() })
        {
            file.AddRange(BitConverter.GetBytes((ushort)part.Length));
            file.AddRange(part);
        }
        file.AddRange(BitConverter.GetBytes(payload.Length));
        file.AddRange(payload);
        return file.ToArray();
    }

    public void Dispose()
    {
        _meters.Dispose();
        _services.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
