using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;
using static OrleansExemplars.Tests.Support.WriteRequestsV2;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// Remote write 2.0 rc.4 and native histograms on the wire: what the readers take from a request, and what the writers
/// make of it for each protocol, checked against Google.Protobuf's generated code (the oracle) and the 2.0 reader.
/// </summary>
public sealed class NativeHistogramWireTests
{
    /// <summary>An integer exponential histogram with both sides, a zero bucket and a reset hint: 13 observations.</summary>
    public static NativeHistogram IntHistogram(long timestampMs, long startTimestampMs = 0) => new()
    {
        CountKind = HistogramCountKind.Int, CountInt = 13, Sum = 42.5, Schema = 3, ZeroThreshold = 1e-128,
        ZeroCountKind = HistogramCountKind.Int, ZeroCountInt = 2,
        NegativeSpans = [new BucketSpan(-2, 2)], NegativeDeltas = [1, 0],
        PositiveSpans = [new BucketSpan(1, 2), new BucketSpan(3, 1)], PositiveDeltas = [3, -1, 2],
        ResetHint = 2, TimestampMs = timestampMs, StartTimestampMs = startTimestampMs,
    };

    /// <summary>A float histogram of custom buckets (NHCB): 7.5 observations in three buckets bounded by 0.1, 0.5, 1.</summary>
    public static NativeHistogram FloatCustomHistogram(long timestampMs) => new()
    {
        CountKind = HistogramCountKind.Float, CountFloat = 7.5, Sum = 3.25, Schema = NativeHistogram.CustomBucketsSchema,
        PositiveSpans = [new BucketSpan(0, 3)], PositiveCounts = [1.5, 4, 2], CustomValues = [0.1, 0.5, 1],
        ResetHint = 3, TimestampMs = timestampMs,
    };

    [Fact]
    public void Valid_histograms_pass_Prometheus_checks_and_broken_ones_are_named()
    {
        Assert.Null(HistogramValidation.Error(IntHistogram(1)));
        Assert.Null(HistogramValidation.Error(FloatCustomHistogram(1)));
        Assert.Contains("observations found in the buckets", HistogramValidation.Error(new NativeHistogram { CountInt = 3, CountKind = HistogramCountKind.Int }));
        Assert.Contains("schema 9 is invalid", HistogramValidation.Error(new NativeHistogram { Schema = 9 }));
        Assert.Contains("spans need 2 buckets, and there are 1",
            HistogramValidation.Error(new NativeHistogram { PositiveSpans = [new BucketSpan(0, 2)], PositiveDeltas = [1] }));
        Assert.Contains("must not be negative",
            HistogramValidation.Error(new NativeHistogram { PositiveSpans = [new BucketSpan(0, 2)], PositiveDeltas = [2, -3], CountInt = 1 }));
        Assert.Contains("strictly increase", HistogramValidation.Error(new NativeHistogram
        {
            Schema = NativeHistogram.CustomBucketsSchema, CustomValues = [1, 1],
        }));
        // NaN sum: the count may exceed the buckets (observations of NaN), as in Prometheus.
        Assert.Null(HistogramValidation.Error(new NativeHistogram { CountKind = HistogramCountKind.Int, CountInt = 4, Sum = double.NaN }));
    }

    [Fact]
    public void An_invalid_histogram_refuses_its_series_in_both_versions_and_the_others_are_kept()
    {
        var bad = Series(("__name__", "bad_hist"));
        bad.Histograms.Add(new V1.Histogram { CountInt = 5, Timestamp = 9 });
        var good = Series(("__name__", "good_hist"));
        good.Histograms.Add(HistogramProtos.ToV1(IntHistogram(10)));
        var v1 = Request(bad, good, Series(("__name__", "floats")).WithSample(1, 10));

        foreach (var write in new[] { RemoteWriteV1Reader.Read(v1.ToByteArray()), WriteRequestV2Reader.Read(ToV2(v1)) })
        {
            var invalid = Assert.Single(write.Invalid);
            Assert.Equal("{__name__=\"bad_hist\"}", invalid.Labels);
            Assert.StartsWith("native histogram at timestamp 9: ", invalid.Reason);
            Assert.Equal(1, write.HistogramCount);
            Assert.Equal(1, write.SampleCount);
            Assert.Equal(IntHistogram(10).ToString(), Assert.Single(write.Forward.SelectMany(f => f.Histograms)).ToString());
        }
    }

    [Fact]
    public void A_2_0_series_keeps_its_start_timestamps_histograms_and_exemplars()
    {
        var histogram = HistogramProtos.ToV2(IntHistogram(2_000, startTimestampMs: 500));
        //                             0    1           2        3          4
        var request = RequestV2(["", "__name__", "rq_total", "trace_id", "t1"],
            SeriesRefs(1, 2).WithSample(1, 1_000).WithSample(2, 2_000).WithSample(3, 3_000));
        request.Timeseries[0].Samples[0].StartTimestamp = 100;
        request.Timeseries[0].Samples[2].StartTimestamp = -1; // the spec's stand-in for a real 0
        var native = SeriesRefs(1, 2).WithExemplarRefs(0.7, 2_000, 3, 4).WithExemplarRefs(0.9, 2_000, 3, 4);
        native.Histograms.Add(histogram);
        request.Timeseries.Add(native);

        var write = WriteRequestV2Reader.Read(request);

        Assert.Empty(write.Invalid);
        Assert.Equal((3L, 1L, 2L), (write.SampleCount, write.HistogramCount, write.ExemplarCount));
        Assert.Equal([100L, 0, -1], write.Forward[0].SampleStartTimestamps!);
        Assert.Equal(IntHistogram(2_000, startTimestampMs: 500).ToString(), Assert.Single(write.Forward[1].Histograms).ToString());
        var exemplars = Assert.Single(write.ExemplarsByMetric["rq_total"]);
        Assert.True(exemplars.NativeHistogram);
        Assert.Equal(2, exemplars.Exemplars.Length);
    }

    [Fact]
    public void Field_6_of_a_2_0_series_is_reserved_and_ignored_as_an_unknown_field()
    {
        // An early 2.0 sender's created_timestamp = 6 (int64): the series is read as if it were not there.
        var symbols = RequestV2(["", "__name__", "ct_metric"]).ToByteArray();
        byte[] series = [.. SeriesRefs(1, 2).WithSample(4, 1_000).ToByteArray(), 6 << 3, 0xE8, 0x07]; // field 6 = 1000
        byte[] raw = [.. symbols, 5 << 3 | 2, (byte)series.Length, .. series];

        var parsed = RemoteWriteDecoder.DecodeProtobufV2(raw);
        var write = WriteRequestV2Reader.Read(parsed);

        Assert.Empty(write.Invalid);
        Assert.Equal(1, write.SampleCount);
        Assert.Null(Assert.Single(write.Forward).SampleStartTimestamps);
        // The generated code keeps it as an unknown field, and a re-encoded request would carry it on: the forwarders
        // build their requests from the decoded series, so it goes no further.
        Assert.Equal(series.Length, parsed.Timeseries[0].CalculateSize());
    }

    [Fact]
    public void The_1_0_writer_encodes_histograms_as_the_generated_code_does()
    {
        var batch = new[]
        {
            new ForwardSeries(LabelSet.From(("__name__", "mixed")), [new Sample(1, 1_000)],
                [new Exemplar(LabelSet.From(("trace_id", "a")), 0.2, 1_000, true)],
                [IntHistogram(1_000, startTimestampMs: 10), FloatCustomHistogram(2_000)]),
            new ForwardSeries(LabelSet.From(("__name__", "only_hist")), [], [], [FloatCustomHistogram(3_000)]),
            new ForwardSeries(LabelSet.From(("__name__", "odd")), [], [], [new NativeHistogram { ResetHint = -7, Schema = -4 }]),
        };

        var written = WriteRequestV1Writer.Write(batch, sendExemplars: true);

        var expected = Request(
            Series(("__name__", "mixed")).WithSample(1, 1_000).WithExemplar(0.2, 1_000, ("trace_id", "a")),
            Series(("__name__", "only_hist")),
            Series(("__name__", "odd")));
        expected.Timeseries[0].Histograms.Add(HistogramProtos.ToV1(IntHistogram(1_000)));
        expected.Timeseries[0].Histograms.Add(HistogramProtos.ToV1(FloatCustomHistogram(2_000)));
        expected.Timeseries[1].Histograms.Add(HistogramProtos.ToV1(FloatCustomHistogram(3_000)));
        expected.Timeseries[2].Histograms.Add(HistogramProtos.ToV1(new NativeHistogram { ResetHint = -7, Schema = -4 }));
        // Byte for byte what Google.Protobuf writes: 1.0 has no start timestamp, so it is left out.
        Assert.Equal(Convert.ToHexString(expected.ToByteArray()), Convert.ToHexString(written));
        var back = RemoteWriteV1Reader.Read(written);
        Assert.Equal(
            [IntHistogram(1_000).ToString(), FloatCustomHistogram(2_000).ToString(), FloatCustomHistogram(3_000).ToString(),
             new NativeHistogram { ResetHint = -7, Schema = -4 }.ToString()],
            back.Forward.SelectMany(f => f.Histograms).Select(h => h.ToString()));
    }

    [Fact]
    public void The_2_0_encoder_splits_floats_from_histograms_and_keeps_start_timestamps()
    {
        var batch = new[]
        {
            new ForwardSeries(LabelSet.From(("__name__", "mixed"), ("job", "j")), [new Sample(1, 1_000), new Sample(2, 2_000)],
                [new Exemplar(LabelSet.From(("trace_id", "a")), 0.2, 1_000, true)],
                [IntHistogram(1_000, startTimestampMs: 10), FloatCustomHistogram(2_000)], [5, 0]),
            new ForwardSeries(LabelSet.From(("__name__", "only_hist")), [], [], [FloatCustomHistogram(3_000)]),
        };

        var encoded = RemoteWriteEncoder.EncodeV2(batch, sendExemplars: true);

        Assert.Equal((2, 2, 3, 1), (encoded.Series, encoded.Samples, encoded.Histograms, encoded.Exemplars));
        Assert.Equal(3_000, encoded.HighestTimestampMs);
        var request = RemoteWriteDecoder.DecodeSnappyV2(encoded.Body, 1 << 20);
        // A 2.0 TimeSeries has samples or histograms, never both; the exemplars go with the histograms.
        Assert.Equal([(2, 0, 0), (0, 2, 1), (0, 1, 0)],
            request.Timeseries.Select(ts => (ts.Samples.Count, ts.Histograms.Count, ts.Exemplars.Count)));
        var write = WriteRequestV2Reader.Read(request);
        Assert.Empty(write.Invalid);
        Assert.Equal([5L, 0], write.Forward[0].SampleStartTimestamps!);
        Assert.Equal(
            [IntHistogram(1_000, startTimestampMs: 10).ToString(), FloatCustomHistogram(2_000).ToString(), FloatCustomHistogram(3_000).ToString()],
            write.Forward.SelectMany(f => f.Histograms).Select(h => h.ToString()));
        Assert.True(Assert.Single(write.ExemplarsByMetric["mixed"]).NativeHistogram);

        // 1.0: one TimeSeries with both, no start timestamps.
        var v1 = V1.WriteRequest.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(RemoteWriteEncoder.EncodeV1(batch, true).Body));
        Assert.Equal([(2, 2, 1), (0, 1, 0)], v1.Timeseries.Select(ts => (ts.Samples.Count, ts.Histograms.Count, ts.Exemplars.Count)));
    }

    [Fact]
    public void A_block_with_native_histograms_is_not_kept_whole_and_its_histograms_are_forwarded()
    {
        var ts = Series(("__name__", "kafka_hist"), ("job", "k")).WithSample(1, 5);
        ts.Histograms.Add(HistogramProtos.ToV1(IntHistogram(5)));
        var write = RemoteWriteMessageDecoder.Decode(Request(ts).ToByteArray(), null, "identity", 1 << 20, forwardAsBlock: true);

        Assert.Null(write.Block);
        Assert.Equal(IntHistogram(5).ToString(), Assert.Single(Assert.Single(write.Forward).Histograms).ToString());
    }

    [Fact]
    public void Histograms_survive_Orleans_serialization_with_their_series()
    {
        var series = new ForwardSeries(LabelSet.From(("__name__", "m")), [new Sample(1, 2)], [],
            [IntHistogram(3, 1), FloatCustomHistogram(4)], [9]);
        var serializer = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(ForwardSeries).Assembly)).BuildServiceProvider()
            .GetRequiredService<Orleans.Serialization.Serializer>();
        var copy = serializer.Deserialize<ForwardSeries>(serializer.SerializeToArray(series))!;
        Assert.Equal(series.Histograms.Select(h => h.ToString()), copy.Histograms.Select(h => h.ToString()));
        Assert.Equal([9L], copy.SampleStartTimestamps!);
        var exemplars = new SeriesExemplars(LabelSet.From(("__name__", "m")), [], NativeHistogram: true);
        Assert.True(serializer.Deserialize<SeriesExemplars>(serializer.SerializeToArray(exemplars))!.NativeHistogram);
    }
}
