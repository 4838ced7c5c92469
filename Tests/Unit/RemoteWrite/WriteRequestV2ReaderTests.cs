using CsCheck;
using Google.Protobuf;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;
using static OrleansExemplars.Tests.Support.WriteRequestsV2;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;
using V2 = OrleansExemplars.Prometheus.RemoteWrite.V2;

namespace OrleansExemplars.Tests.RemoteWrite;

public sealed class WriteRequestV2ReaderTests
{
    [Fact]
    public void Symbols_and_refs_become_sorted_series_grouped_by_metric_and_counted()
    {
        //                      0    1           2     3       4    5          6      7       8
        string[] symbols = ["", "__name__", "m1", "job", "a", "trace_id", "x", "b", "samples_only"];
        var write = WriteRequestV2Reader.Read(RequestV2(symbols,
            SeriesRefs(3, 4, 1, 2).WithSample(1, 1).WithSample(2, 2).WithExemplarRefs(1.5, 10, 5, 6),
            SeriesRefs(1, 2, 3, 7).WithSample(1, 1).WithExemplarRefs(2.5, 0, 5, 7).WithExemplarRefs(3, 11),
            SeriesRefs(1, 8).WithSample(1, 1).WithHistogram(3, 5)));

        Assert.Empty(write.Invalid);
        Assert.Equal(3, write.SeriesCount);
        Assert.Equal(4, write.SampleCount);
        Assert.Equal(3, write.ExemplarCount);
        Assert.Equal(1, write.HistogramCount);
        Assert.Equal(["m1"], write.ExemplarsByMetric.Keys);
        var m1 = write.ExemplarsByMetric["m1"];
        Assert.Equal(2, m1.Count);
        Assert.Equal(LabelSet.From(("__name__", "m1"), ("job", "a")), m1[0].Series);
        Assert.Equal("{__name__=\"m1\", job=\"a\"}", m1[0].Series.ToString());
        Assert.Equal([new Exemplar(LabelSet.From(("trace_id", "x")), 1.5, 10, true)], m1[0].Exemplars);
        Assert.Equal(LabelSet.From(("__name__", "m1"), ("job", "b")), m1[1].Series);
        Assert.Equal([
            new Exemplar(LabelSet.From(("trace_id", "b")), 2.5, 0, false),
            new Exemplar(LabelSet.Empty, 3, 11, true),
        ], m1[1].Exemplars);
    }

    [Fact]
    public void Exemplar_labels_drop_empty_values_and_timestamp_zero_means_none()
    {
        string[] symbols = ["", "__name__", "m", "trace_id", "x", "empty"];
        var write = WriteRequestV2Reader.Read(RequestV2(symbols,
            SeriesRefs(1, 2).WithExemplarRefs(1, 0, 3, 4, 5, 0).WithExemplarRefs(2, 7, 3, 4)));
        var exemplars = write.ExemplarsByMetric["m"][0].Exemplars;
        Assert.Equal("{trace_id=\"x\"}", exemplars[0].Labels.ToString());
        Assert.False(exemplars[0].HasTimestamp);
        Assert.True(exemplars[1].HasTimestamp);
        Assert.Equal(7, exemplars[1].TimestampMs);
    }

    [Fact]
    public void Each_symbol_is_decoded_once_and_shared_by_every_use()
    {
        string[] symbols = ["", "__name__", "m", "job", "shared_value", "trace_id"];
        var write = WriteRequestV2Reader.Read(RequestV2(symbols,
            SeriesRefs(1, 2, 3, 4).WithExemplarRefs(1, 1, 5, 4),
            SeriesRefs(1, 2, 5, 4).WithExemplarRefs(1, 1, 3, 4)));
        var list = write.ExemplarsByMetric["m"];
        var value = list[0].Series.Get("job");
        Assert.Equal("shared_value", value);
        Assert.Same(value, list[1].Series.Get("trace_id"));
        Assert.Same(value, list[0].Exemplars[0].Labels.Get("trace_id"));
        Assert.Same(value, list[1].Exemplars[0].Labels.Get("job"));
        Assert.Same(list[0].Series[0].Name, list[1].Series[0].Name);
    }

    [Fact]
    public void Invalid_series_are_listed_with_reasons_and_the_rest_kept()
    {
        //                  0   1           2      3      4                  5    6    7    8            9           10
        object[] symbols = ["", "__name__", "bad", "job", Bytes(0xff, 0xfe), "a", "1", "2", Bytes(0xc3), "trace_id", "ok"];
        var write = WriteRequestV2Reader.Read(RequestV2(symbols,
            SeriesRefs(1, 2, 3, 4),                           // value not UTF-8
            SeriesRefs(1, 2, 8, 5),                           // name not UTF-8
            SeriesRefs(1, 2, 3),                              // odd
            SeriesRefs(1, 2, 3, 11),                          // value ref out of range
            SeriesRefs(1, 2, 99, 5),                          // name ref out of range
            SeriesRefs(1, 2).WithExemplarRefs(1, 1, 9, 4),    // exemplar value not UTF-8
            SeriesRefs(1, 2).WithExemplarRefs(1, 1, 9),       // exemplar odd
            SeriesRefs(1, 2).WithExemplarRefs(1, 1, 9, 12),   // exemplar ref out of range
            SeriesRefs(1, 2).WithMetadata(helpRef: 11, unitRef: 0),
            SeriesRefs(1, 2).WithMetadata(helpRef: 0, unitRef: 40),
            SeriesRefs(3, 5),                                 // no metric name
            SeriesRefs(1, 2, 5, 6, 5, 7),                     // duplicate
            SeriesRefs(1, 2, 0, 6),                           // empty name
            SeriesRefs(1, 0),                                 // empty metric name
            SeriesRefs(1, 10).WithMetadata(0, 0).WithExemplarRefs(1, 1, 9, 5)));

        Assert.Equal([
            "value of label \"job\" is not valid UTF-8",
            "label name is not valid UTF-8",
            "labels_refs has an odd number of entries (3): they must be name, value pairs of symbol indexes",
            "label value reference 11 is outside the symbols table (11 symbols)",
            "label name reference 99 is outside the symbols table (11 symbols)",
            "exemplar: value of label \"trace_id\" is not valid UTF-8",
            "exemplar: labels_refs has an odd number of entries (1): they must be name, value pairs of symbol indexes",
            "exemplar: label value reference 12 is outside the symbols table (11 symbols)",
            "metadata help_ref 11 is outside the symbols table (11 symbols)",
            "metadata unit_ref 40 is outside the symbols table (11 symbols)",
            "missing metric name (label __name__)",
            "duplicate label name \"a\"",
            "label with empty name",
            "missing metric name (label __name__)",
        ], write.Invalid.Select(i => i.Reason));
        Assert.Equal([
            "{__name__=\"bad\", job=\"\uFFFD\uFFFD\"}",
            "{__name__=\"bad\", \uFFFD=\"a\"}",
            "{__name__=\"bad\", job=<no value reference>}",
            "{__name__=\"bad\", job=\"<symbol 11 out of range>\"}",
            "{__name__=\"bad\", <symbol 99 out of range>=\"a\"}",
            "{__name__=\"bad\"}",
        ], write.Invalid.Take(6).Select(i => i.Labels));
        Assert.Equal(["ok"], write.ExemplarsByMetric.Keys);
        Assert.Equal(15, write.SeriesCount);
        Assert.Equal(1, write.ExemplarCount);
    }

    [Fact]
    public void An_invalid_symbol_nobody_references_is_harmless_and_symbols_0_need_not_be_empty()
    {
        object[] symbols = ["x", "__name__", "m", Bytes(0xff)];
        var write = WriteRequestV2Reader.Read(RequestV2(symbols, SeriesRefs(1, 2).WithExemplarRefs(1, 1, 0, 2)));
        Assert.Empty(write.Invalid);
        Assert.Equal(LabelSet.From(("x", "m")), write.ExemplarsByMetric["m"][0].Exemplars[0].Labels);
    }

    [Fact]
    public void An_empty_request_is_empty()
    {
        var write = WriteRequestV2Reader.Read(new V2.Request());
        Assert.Equal(0, write.SeriesCount);
        Assert.Empty(write.ExemplarsByMetric);
        Assert.Empty(write.Invalid);
        var refs = WriteRequestV2Reader.Read(RequestV2([], SeriesRefs(0, 0)));
        Assert.Equal(["label name reference 0 is outside the symbols table (0 symbols)"], refs.Invalid.Select(i => i.Reason));
    }

    [Fact]
    public void The_v1_reader_test_data_reads_the_same_in_both_versions()
    {
        var badValue = Series(("__name__", "bad"));
        badValue.Labels.Add(new V1.Label { Name = ByteString.CopyFromUtf8("job"), Value = ByteString.CopyFrom(0xff) });
        var badName = Series(("__name__", "bad"));
        badName.Labels.Add(new V1.Label { Name = ByteString.CopyFrom(0xc3), Value = ByteString.CopyFromUtf8("v") });
        var badExemplar = Series(("__name__", "bad_exemplar"));
        var e = new V1.Exemplar { Value = 1, Timestamp = 1 };
        e.Labels.Add(new V1.Label { Name = ByteString.CopyFromUtf8("trace_id"), Value = ByteString.CopyFrom(0xfe) });
        badExemplar.Exemplars.Add(e);
        var histogramSeries = Series(("__name__", "h")).WithSample(1, 1);
        histogramSeries.Histograms.Add(new V1.Histogram { CountInt = 3, ZeroCountInt = 3, Timestamp = 5 });

        var v1 = Request(
            badValue, badName, badExemplar,
            Series(("job", "x")),
            Series(("__name__", "m"), ("a", "1"), ("a", "2")),
            Series(("__name__", "m"), ("", "v")),
            Series(("__name__", "")),
            Series(("job", "a"), ("__name__", "m1")).WithSample(1, 1).WithSample(2, 2).WithExemplar(1, 1, ("trace_id", "x")),
            Series(("__name__", "m1"), ("job", "b")).WithSample(1, 1).WithExemplar(1, 0, ("trace_id", "y"), ("e", "")),
            Series(("__name__", "ok")).WithExemplar(1, 1, ("trace_id", "t")),
            histogramSeries);

        var expected = WriteRequestReader.Read(v1);
        Assert.Equal(7, expected.Invalid.Count);
        Assert.Equal(Dump(expected), Dump(WriteRequestV2Reader.Read(ToV2(v1))));
    }

    private static readonly ByteString[] NamePool =
        new[] { "__name__", "job", "trace_id", "", "é", "a" }.Select(ByteString.CopyFromUtf8)
            .Append(ByteString.CopyFrom(0xc3)).ToArray();

    private static readonly ByteString[] ValuePool =
        new[] { "m", "n", "", "x", "y", "z\n\"q" }.Select(ByteString.CopyFromUtf8)
            .Append(ByteString.CopyFrom(0xff)).Append(ByteString.CopyFrom(0xe2, 0x82)).ToArray();

    private static readonly Gen<V1.Label> GenLabel = Gen.Select(
        Gen.Frequency((3, Gen.Const(0)), (8, Gen.Int[1, NamePool.Length - 1])),
        Gen.Int[0, ValuePool.Length - 1],
        (n, v) => new V1.Label { Name = NamePool[n], Value = ValuePool[v] });

    private static readonly Gen<V1.Exemplar> GenExemplar = Gen.Select(GenLabel.Array[0, 3], Gen.Long[0, 3],
        Gen.OneOf(1.0, double.NaN), (labels, ts, value) =>
        {
            var e = new V1.Exemplar { Value = value, Timestamp = ts };
            e.Labels.AddRange(labels);
            return e;
        });

    private static readonly Gen<V1.TimeSeries> GenSeries = Gen.Select(GenLabel.Array[0, 4], GenExemplar.Array[0, 3],
        Gen.Int[0, 2], Gen.Int[0, 1], (labels, exemplars, samples, histograms) =>
        {
            var ts = new V1.TimeSeries();
            ts.Labels.AddRange(labels);
            ts.Exemplars.AddRange(exemplars);
            for (var i = 0; i < samples; i++) ts.Samples.Add(new V1.Sample { Value = i, Timestamp = i });
            for (var i = 0; i < histograms; i++) ts.Histograms.Add(new V1.Histogram { CountInt = 1, ZeroCountInt = 1, Timestamp = i });
            return ts;
        });

    [Fact]
    public void Any_request_reads_the_same_in_both_versions() =>
        GenSeries.Array[0, 8].Sample(series =>
        {
            var v1 = Request(series);
            Assert.Equal(Dump(WriteRequestReader.Read(v1)), Dump(WriteRequestV2Reader.Read(ToV2(v1))));
        }, iter: 2000);

    [Fact]
    public void The_builder_interns_symbols_and_reads_back_as_built()
    {
        var builder = new RemoteWriteV2Builder();
        var s1 = new SeriesExemplars(LabelSet.From(("__name__", "m"), ("job", "a")),
            [new Exemplar(LabelSet.From(("trace_id", "a")), 1, 5, true), new Exemplar(LabelSet.From(("trace_id", "m")), 2, 0, false)]);
        var s2 = new SeriesExemplars(LabelSet.From(("job", "a"), ("__name__", "n")),
            [new Exemplar(LabelSet.Empty, 3, 6, true)]);
        RemoteWriteV2Builder.AddSample(builder.AddSeries(s1), 1, 5);
        var ts2 = builder.AddSeries(s2);
        builder.SetMetadata(ts2, V2.Metadata.Types.MetricType.Counter, help: "help text");
        builder.AddSeries(LabelSet.From(("__name__", "samples_only")));

        var request = builder.Build();
        Assert.Equal(["", "__name__", "m", "job", "a", "trace_id", "n", "help text", "samples_only"],
            request.Symbols.Select(s => s.ToStringUtf8()));
        Assert.Equal([1u, 6, 3, 4], request.Timeseries[1].LabelsRefs);
        Assert.Equal(0u, request.Timeseries[1].Metadata.UnitRef);

        var write = WriteRequestV2Reader.Read(request);
        Assert.Empty(write.Invalid);
        Assert.Equal(1, write.SampleCount);
        Assert.Equal(s1.Series, write.ExemplarsByMetric["m"][0].Series);
        Assert.Equal(s1.Exemplars, write.ExemplarsByMetric["m"][0].Exemplars);
        Assert.Equal(s2.Exemplars, write.ExemplarsByMetric["n"][0].Exemplars);

        Assert.Equal(0, builder.SeriesCount);
        Assert.Equal(1, builder.SymbolCount);
        builder.AddSeries(LabelSet.From(("__name__", "z")));
        Assert.Equal(["", "__name__", "z"], builder.Build().Symbols.Select(s => s.ToStringUtf8()));
    }
}
