using System.Collections.Concurrent;
using System.Text;
using CsCheck;
using Google.Protobuf;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Prometheus.RemoteWrite.RemoteWriteV1Reader;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// The cache of validated series (<see cref="ValidatedSeriesCache"/>): reading through it gives exactly what reading
/// without it gives, whatever it holds, however its keys collide and under whichever limits.
/// </summary>
public sealed partial class RemoteWriteV1ReaderTests
{
    private static readonly ForwardForm[] Forms = [ForwardForm.Series, ForwardForm.Block, ForwardForm.None];

    private static readonly SeriesLimits LegacyLimits = SeriesLimits.Default with { NameValidation = NameValidationScheme.Legacy };

    /// <summary>Limits the random requests' labels often exceed (values such as "metric_three", the 🚀 name).</summary>
    private static readonly SeriesLimits TightLimits = new(MaxMetricNameLength: 5, MaxLabelNameLength: 8, MaxLabelValueLength: 3);

    private static readonly SeriesLimits[] AllLimits = [SeriesLimits.Default, LegacyLimits, TightLimits];

    /// <summary>Shared by the iterations of the property test (which CsCheck runs on several threads).</summary>
    private static readonly ValidatedSeriesCache SmallCache = new(8);

    /// <summary>Every key in one slot with the same hash: only the comparison of the bytes and limits tells entries apart.</summary>
    private static readonly ValidatedSeriesCache CollidingCache = new(1, fixedHash: 42);

    /// <summary>Everything a read gives: the result (forward list included), the block, the forwarders' bytes, or the refusal.</summary>
    private static string Outcome(byte[] bytes, ValidatedSeriesCache? cache, SeriesLimits limits, ForwardForm form)
    {
        DecodedWrite w;
        try
        {
            w = ReadWithCache(bytes, cache, limits, form);
        }
        catch (RemoteWriteFormatException e)
        {
            return $"refused {e.Error}: {e.Message}";
        }
        var sb = new StringBuilder(Canonical(w));
        if (w.Block is { } block)
        {
            sb.Append($"block {block.Series} {block.Samples} {block.Exemplars} {block.HighestTimestampMs} ")
              .Append(Convert.ToHexString(block.Bytes)).Append('\n');
        }
        sb.Append("shards ").AppendJoin(',', w.Forward.Select(f => ForwardSharding.ShardOf(f, 16))).Append('\n');
        sb.Append("wire ").Append(Convert.ToHexString(WriteRequestV1Writer.Write(w.Forward, sendExemplars: true))).Append('\n');
        sb.Append("wire without exemplars ")
          .Append(Convert.ToHexString(WriteRequestV1Writer.Write(w.Forward, sendExemplars: false)));
        return sb.ToString();
    }

    [Fact]
    public void Reading_through_the_cache_gives_the_uncached_result_on_random_requests() =>
        Gen.Int.Sample(seed =>
        {
            var bytes = new RandomRequest(new Random(seed)).Build(mutate: seed % 4 == 0);
            foreach (var limits in AllLimits)
            {
                foreach (var form in Forms)
                {
                    var expected = Outcome(bytes, cache: null, limits, form);
                    var fresh = new ValidatedSeriesCache(1024);
                    Assert.Equal(expected, Outcome(bytes, fresh, limits, form)); // stores
                    Assert.Equal(expected, Outcome(bytes, fresh, limits, form)); // hits
                    Assert.Equal(expected, Outcome(bytes, SmallCache, limits, form));
                    Assert.Equal(expected, Outcome(bytes, CollidingCache, limits, form));
                    Assert.Equal(expected, Outcome(bytes, ValidatedSeriesCache.Shared, limits, form));
                }
            }
        }, iter: 1500);

    private static byte[] PrometheusLikeRequest() => WriteRequests.Request(
        WriteRequests.Series(("__name__", "http_requests_total"), ("instance", "a:9090"), ("job", "api")).WithSample(1, 1000),
        WriteRequests.Series(("__name__", "http_requests_total"), ("instance", "b:9090"), ("job", "api")).WithSample(2, 1000),
        WriteRequests.Series(("__name__", "latency_bucket"), ("job", "api"), ("le", "0.5"))
            .WithSample(3, 1000).WithExemplar(0.4, 999, ("trace_id", "abc"))).ToByteArray();

    [Fact]
    public void A_repeated_series_is_found_and_shares_what_its_first_reading_built()
    {
        var cache = new ValidatedSeriesCache(64);
        var bytes = PrometheusLikeRequest();
        var first = ReadWithCache(bytes, cache);
        Assert.Equal(3, cache.Count);
        var second = ReadWithCache(bytes, cache);
        Assert.Equal(Outcome(bytes, null, SeriesLimits.Default, ForwardForm.Series),
            Outcome(bytes, cache, SeriesLimits.Default, ForwardForm.Series));
        Assert.Same(first.Forward[0].WireLabels, second.Forward[0].WireLabels);
        Assert.Same(first.Forward[1].WireLabels, second.Forward[1].WireLabels);
        Assert.Same(first.Forward[2].Labels, second.Forward[2].Labels);
        Assert.Same(first.ExemplarsByMetric["latency_bucket"][0].Series, second.ExemplarsByMetric["latency_bucket"][0].Series);
        // Limits equal by value (the HTTP endpoint makes them per request) find the same entries.
        var third = ReadWithCache(bytes, cache, SeriesLimits.Default with { });
        Assert.Same(first.Forward[0].WireLabels, third.Forward[0].WireLabels);
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void Colliding_keys_never_let_an_invalid_series_pass()
    {
        var valid = WriteRequests.Request(WriteRequests.Series(("__name__", "m"), ("job", "a")).WithSample(1, 1)).ToByteArray();
        // The same length as the valid series, one byte different: the value of job is not UTF-8.
        var badValue = (byte[])valid.Clone();
        badValue[Array.LastIndexOf(badValue, (byte)'a')] = 0xFF;
        var invalid = new[]
        {
            badValue,
            WriteRequests.Request(WriteRequests.Series(("__name__", "m"), ("job", "a"), ("job", "b")).WithSample(1, 1)).ToByteArray(),
            WriteRequests.Request(WriteRequests.Series(("__name__", ""), ("job", "a")).WithSample(1, 1)).ToByteArray(),
            WriteRequests.Request(WriteRequests.Series(("job", "a")).WithSample(1, 1)).ToByteArray(),
            WriteRequests.Request(WriteRequests.Series(("__name__", "a/../b"), ("job", "a")).WithSample(1, 1)).ToByteArray(),
        };
        foreach (var cache in new[] { new ValidatedSeriesCache(1, fixedHash: 7), new ValidatedSeriesCache(1) })
        {
            foreach (var bytes in invalid)
            {
                Assert.Empty(ReadWithCache(valid, cache).Invalid);
                Assert.Equal(1, cache.Count);
                var read = ReadWithCache(bytes, cache);
                Assert.Single(read.Invalid);
                Assert.Equal(Outcome(bytes, null, SeriesLimits.Default, ForwardForm.Series),
                    Outcome(bytes, cache, SeriesLimits.Default, ForwardForm.Series));
            }
        }
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var cache = new ValidatedSeriesCache(10);
        Assert.Equal(16, cache.Capacity);
        for (var request = 0; request < 100; request++)
        {
            var series = Enumerable.Range(0, 100).Select(i =>
                WriteRequests.Series(("__name__", "m"), ("i", (request * 100 + i).ToString())).WithSample(i, 1)).ToArray();
            var read = ReadWithCache(WriteRequests.Request(series).ToByteArray(), cache);
            Assert.Equal(100, read.Forward.Count);
            Assert.True(cache.Count <= 16, $"{cache.Count} entries");
        }
        Assert.True(cache.Count is > 0 and <= 16, $"{cache.Count} entries");
    }

    [Fact]
    public void Two_series_sharing_a_pair_of_slots_both_stay_and_a_third_drops_the_older()
    {
        var cache = new ValidatedSeriesCache(2, fixedHash: 5);
        byte[] Request(string job) =>
            WriteRequests.Request(WriteRequests.Series(("__name__", "m"), ("job", job)).WithSample(1, 1)).ToByteArray();
        byte[] Wire(string job) => ReadWithCache(Request(job), cache).Forward[0].WireLabels!;
        var a = Wire("a");
        var b = Wire("b");
        Assert.Equal(2, cache.Count);
        Assert.Same(a, Wire("a"));
        Assert.Same(b, Wire("b"));
        var c = Wire("c");
        Assert.Same(c, Wire("c"));
        Assert.Same(b, Wire("b"));
        Assert.NotSame(a, Wire("a")); // a was the older of the pair: dropped for c, then read and stored again
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void A_series_cached_as_valid_is_refused_under_stricter_limits()
    {
        var bytes = WriteRequests.Request(
            WriteRequests.Series(("__name__", "http.server.duration"), ("service.name", "checkout")).WithSample(1, 1)).ToByteArray();
        foreach (var cache in new[] { new ValidatedSeriesCache(64), new ValidatedSeriesCache(1, fixedHash: 3) })
        {
            Assert.Empty(ReadWithCache(bytes, cache).Invalid);
            Assert.Empty(ReadWithCache(bytes, cache).Invalid);
            Assert.Equal(1, cache.Count);

            var legacy = ReadWithCache(bytes, cache, LegacyLimits);
            var invalid = Assert.Single(legacy.Invalid);
            Assert.Contains("is not a legacy Prometheus name", invalid.Reason);
            Assert.Empty(legacy.Forward);
            Assert.Equal(Outcome(bytes, null, LegacyLimits, ForwardForm.Series), Outcome(bytes, cache, LegacyLimits, ForwardForm.Series));

            var shortValues = SeriesLimits.Default with { MaxLabelValueLength = 4 };
            Assert.Contains("more than the 4 allowed", Assert.Single(ReadWithCache(bytes, cache, shortValues).Invalid).Reason);
            var shortNames = SeriesLimits.Default with { MaxMetricNameLength = 10 };
            Assert.Contains("more than the 10 allowed", Assert.Single(ReadWithCache(bytes, cache, shortNames).Invalid).Reason);

            // And still valid under the limits it was cached under.
            Assert.Empty(ReadWithCache(bytes, cache).Invalid);
        }
    }

    private static void AddLabel(List<byte> o, string name, string value, bool valueFirst = false)
    {
        var n = Encoding.UTF8.GetBytes(name);
        var v = Encoding.UTF8.GetBytes(value);
        var label = new List<byte>();
        void Field(byte tag, byte[] b)
        {
            label.Add(tag);
            AddVarint(label, (ulong)b.Length);
            label.AddRange(b);
        }
        if (valueFirst) Field(0x12, v);
        Field(0x0A, n);
        if (!valueFirst) Field(0x12, v);
        o.Add(0x0A);
        AddVarint(o, (ulong)label.Count);
        o.AddRange(label);
    }

    private static void AddSample(List<byte> o, double value, long timestamp)
    {
        var sample = new List<byte> { 0x09 };
        sample.AddRange(BitConverter.GetBytes(value));
        sample.Add(0x10);
        AddVarint(sample, (ulong)timestamp);
        o.Add(0x12);
        AddVarint(o, (ulong)sample.Count);
        o.AddRange(sample);
    }

    private static byte[] RequestOf(params List<byte>[] series)
    {
        var o = new List<byte>();
        foreach (var s in series)
        {
            o.Add(0x0A);
            AddVarint(o, (ulong)s.Count);
            o.AddRange(s);
        }
        return o.ToArray();
    }

    [Fact]
    public void Only_sorted_labels_sent_one_after_the_other_are_cached()
    {
        var split = new List<byte>();
        AddLabel(split, "__name__", "m");
        AddSample(split, 1, 1);
        AddLabel(split, "job", "a");
        var unsorted = new List<byte>();
        AddLabel(unsorted, "job", "a");
        AddLabel(unsorted, "__name__", "m");
        AddSample(unsorted, 1, 1);
        foreach (var bytes in new[] { RequestOf(split), RequestOf(unsorted) })
        {
            var cache = new ValidatedSeriesCache(64);
            var expected = Outcome(bytes, null, SeriesLimits.Default, ForwardForm.Series);
            Assert.Equal(expected, Outcome(bytes, cache, SeriesLimits.Default, ForwardForm.Series));
            Assert.Equal(expected, Outcome(bytes, cache, SeriesLimits.Default, ForwardForm.Series));
            Assert.Empty(ReadWithCache(bytes, cache).Invalid);
            Assert.Equal(0, cache.Count);
        }
    }

    [Fact]
    public void Labels_framed_otherwise_than_the_wire_form_are_cached_and_forwarded_re_framed()
    {
        var series = new List<byte>();
        AddLabel(series, "__name__", "m", valueFirst: true);
        AddLabel(series, "job", "a");
        AddSample(series, 1, 1);
        var bytes = RequestOf(series);
        var cache = new ValidatedSeriesCache(64);
        var expected = Outcome(bytes, null, SeriesLimits.Default, ForwardForm.Series);
        var first = ReadWithCache(bytes, cache);
        Assert.Equal(1, cache.Count);
        var second = ReadWithCache(bytes, cache);
        Assert.Same(first.Forward[0].WireLabels, second.Forward[0].WireLabels);
        Assert.Equal(expected, Outcome(bytes, cache, SeriesLimits.Default, ForwardForm.Series));
        Assert.Equal(LabelSet.From(("__name__", "m"), ("job", "a")), second.Forward[0].Labels);
    }

    [Fact]
    public void Parallel_reads_of_the_same_requests_give_identical_results()
    {
        var requests = Enumerable.Range(0, 40).Select(seed => new RandomRequest(new Random(seed)).Build(mutate: false))
            .Append(PrometheusLikeRequest()).ToArray();
        var expected = requests.Select(r => Outcome(r, null, SeriesLimits.Default, ForwardForm.Series)).ToArray();
        foreach (var cache in new[] { new ValidatedSeriesCache(16), new ValidatedSeriesCache(4096) })
        {
            var failures = new ConcurrentBag<int>();
            Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                var k = i % requests.Length;
                if (Outcome(requests[k], cache, SeriesLimits.Default, ForwardForm.Series) != expected[k]) failures.Add(k);
            });
            Assert.Empty(failures);
        }
    }
}
