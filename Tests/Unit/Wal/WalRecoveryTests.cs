using OrleansExemplars.Grains.Wal;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Wal;

/// <summary>The pieces replay is made of: record payloads, per-run directories and their locks, reading by metric.</summary>
public sealed class WalRecoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("oe-wal-root-").FullName;

    private static SeriesExemplars Series(string metric, string job, params long[] timestamps) =>
        new(LabelSet.From(("__name__", metric), ("job", job)),
            timestamps.Select(ts => new Exemplar(LabelSet.From(("trace_id", $"{job}-{ts}")), ts / 10.0, ts, true)).ToArray());

    [Fact]
    public void A_record_round_trips_names_labels_values_and_timestamps()
    {
        SeriesExemplars[] batch =
        [
            Series("m", "é/ü \"q\"", 1, 2),
            new(LabelSet.From(("__name__", "m")), [new Exemplar(LabelSet.Empty, double.NaN, 0, false), new Exemplar(
                LabelSet.From(("a", ""), ("trace_id", new string('x', 300))), double.NegativeInfinity, long.MaxValue, true)]),
        ];
        var (metric, decoded) = WalExemplarRecord.Decode(WalExemplarRecord.Encode("m", batch));
        Assert.Equal("m", metric);
        Assert.Equal(batch.Length, decoded.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            Assert.Equal(batch[i].Series, decoded[i].Series);
            Assert.Equal(batch[i].Exemplars, decoded[i].Exemplars);
        }
        Assert.Throws<WalRecordFormatException>(() => WalExemplarRecord.Decode(WalExemplarRecord.Encode("m", batch)[..10]));
        Assert.Throws<WalRecordFormatException>(() => WalExemplarRecord.Decode([99]));
    }

    /// <summary>Version 1 as the first release wrote it (label names inline): logs from before an upgrade replay after it.</summary>
    private static byte[] EncodeVersion1(string metric, SeriesExemplars[] batch)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            void Labels(LabelSet labels)
            {
                w.Write7BitEncodedInt(labels.Count);
                foreach (var l in labels.AsSpan())
                {
                    w.Write(l.Name);
                    w.Write(l.Value);
                }
            }
            w.Write((byte)1);
            w.Write(metric);
            w.Write7BitEncodedInt(batch.Length);
            foreach (var series in batch)
            {
                Labels(series.Series);
                w.Write7BitEncodedInt(series.Exemplars.Length);
                foreach (var e in series.Exemplars)
                {
                    w.Write(e.Value);
                    w.Write((byte)(e.HasTimestamp ? 1 : 0));
                    w.Write7BitEncodedInt64(e.TimestampMs);
                    Labels(e.Labels);
                }
            }
        }
        return stream.ToArray();
    }

    [Fact]
    public void Version_1_records_still_decode_and_version_2_writes_label_names_once()
    {
        var batch = Enumerable.Range(0, 50).Select(i => Series("http_request_duration_seconds_bucket", $"job-{i % 3}", 1000 + i, 2000 + i))
            .Select(s => s with { Series = LabelSet.From(s.Series.AsSpan().ToArray().Append(new Label("instance", "host:9100")).ToArray()) })
            .ToArray();
        var v1 = EncodeVersion1("m", batch);
        var v2 = WalExemplarRecord.Encode("m", batch);
        foreach (var payload in new[] { v1, v2 })
        {
            var (metric, decoded) = WalExemplarRecord.Decode(payload);
            Assert.Equal("m", metric);
            Assert.Equal(batch.Select(b => b.Series), decoded.Select(d => d.Series));
            Assert.Equal(batch.SelectMany(b => b.Exemplars), decoded.SelectMany(d => d.Exemplars));
        }
        Assert.True(v2.Length < v1.Length * 0.8, $"version 2 is {v2.Length} bytes, version 1 {v1.Length}");
    }

    [Fact]
    public void A_held_directory_is_never_claimed_and_a_released_one_is_claimed_once()
    {
        using var live = WalDirectory.Create(_root);
        Assert.Empty(WalDirectory.ClaimOrphans(_root));

        var dead = WalDirectory.Create(_root);
        var deadPath = dead.Path;
        dead.Dispose(); // what the OS does to the lock when the process ends, however it ends

        var claimed = WalDirectory.ClaimOrphans(_root);
        Assert.Equal([deadPath], claimed.Select(c => c.Path));
        Assert.Empty(WalDirectory.ClaimOrphans(_root)); // the first claimer holds it now
        claimed[0].Delete();
        Assert.False(Directory.Exists(deadPath));
        Assert.True(Directory.Exists(live.Path));
    }

    [Fact]
    public void A_directory_still_starting_is_not_an_orphan()
    {
        Directory.CreateDirectory(Path.Combine(_root, ".starting-x"));
        Assert.Empty(WalDirectory.ClaimOrphans(_root));
    }

    private async Task<(string Directory, List<long> Lsns)> WriteTwoMetricLogAsync()
    {
        var dir = WalDirectory.Create(_root);
        var lsns = new List<long>();
        await using (var wal = ExemplarWal.Open(new WalOptions { Directory = _root, SegmentBytes = 4096 }, dir.Path))
        {
            for (var i = 0; i < 100; i++)
            {
                lsns.Add(await wal.AppendAsync(WalExemplarRecord.Encode("m1", [Series("m1", "a", 2 * i), Series("m1", "b", 2 * i + 1)])));
                lsns.Add(await wal.AppendAsync(WalExemplarRecord.Encode("m2", [Series("m2", "a", i)])));
            }
            await wal.AppendAsync(new byte[] { 42 }); // intact frame, payload from nowhere
        }
        dir.Dispose();
        Assert.True(WalSegments.List(dir.Path).Count > 2);
        return (dir.Path, lsns);
    }

    private static Dictionary<string, List<long>> TimestampsByMetric(IEnumerable<WalReplayBatch> batches) =>
        batches.SelectMany(b => b.ByMetric).GroupBy(e => e.Key)
            .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).SelectMany(s => s.Exemplars).Select(e => e.TimestampMs).ToList());

    [Fact]
    public async Task Batches_hold_at_most_the_bound_and_together_give_every_exemplar_in_log_order()
    {
        var (dir, _) = await WriteTwoMetricLogAsync();
        var stats = new WalReplayStats();
        var batches = new List<WalReplayBatch>();
        foreach (var batch in WalRecovery.ReadBatches(dir, perMetric: 10_000, maxExemplars: 7, stats))
        {
            Assert.True(batch.Exemplars <= 7, $"a batch held {batch.Exemplars} exemplars");
            Assert.Equal(batch.Exemplars, batch.ByMetric.Values.Sum(v => v.Sum(s => s.Exemplars.Length)));
            batches.Add(batch);
        }
        Assert.Equal(201, stats.Records);
        Assert.Equal(1, stats.UndecodableRecords);
        Assert.Equal(300, stats.Exemplars);
        Assert.Equal(batches.Count, stats.Batches);
        Assert.Equal(7, stats.PeakHeldExemplars);
        var byMetric = TimestampsByMetric(batches);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), byMetric["m1"]);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), byMetric["m2"]);
    }

    [Fact]
    public async Task A_batch_keeps_only_the_newest_a_ring_would_hold()
    {
        var (dir, _) = await WriteTwoMetricLogAsync();
        var stats = new WalReplayStats();
        var batches = WalRecovery.ReadBatches(dir, perMetric: 50, maxExemplars: 100_000, stats).ToList();
        Assert.Single(batches);
        Assert.Equal(100, stats.PeakHeldExemplars);
        var byMetric = TimestampsByMetric(batches);
        Assert.Equal(Enumerable.Range(150, 50).Select(i => (long)i), byMetric["m1"]);
        Assert.Equal(Enumerable.Range(50, 50).Select(i => (long)i), byMetric["m2"]);
    }

    [Fact]
    public async Task Only_the_records_picked_by_metric_and_position_are_read()
    {
        var (dir, lsns) = await WriteTwoMetricLogAsync();
        // m2's records are the odd ones; take those from the 20th to the 60th record of m2.
        long from = lsns[2 * 20 + 1], until = lsns[2 * 60 + 1];
        var batches = WalRecovery.ReadBatches(dir, perMetric: 10_000, maxExemplars: 1000, new WalReplayStats(),
            include: (metric, lsn) => metric == "m2", fromLsn: from, untilLsn: until).ToList();
        var byMetric = TimestampsByMetric(batches);
        Assert.Equal(["m2"], byMetric.Keys);
        Assert.Equal(Enumerable.Range(20, 40).Select(i => (long)i), byMetric["m2"]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
