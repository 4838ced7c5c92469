using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.RemoteWrite;

public sealed class WriteRequestReaderTests
{
    [Fact]
    public void Series_are_grouped_by_metric_with_sorted_labels_and_counted()
    {
        var histogramSeries = Series(("__name__", "h")).WithSample(1, 1);
        histogramSeries.Histograms.Add(new Histogram { CountInt = 3, ZeroCountInt = 3, Timestamp = 5 });
        var write = WriteRequestReader.Read(Request(
            Series(("job", "a"), ("__name__", "m1")).WithSample(1, 1).WithSample(2, 2).WithExemplar(1, 1, ("trace_id", "x")),
            Series(("__name__", "m1"), ("job", "b")).WithSample(1, 1).WithExemplar(1, 1, ("trace_id", "y")),
            Series(("__name__", "m2")).WithExemplar(1, 1, ("trace_id", "z")),
            Series(("__name__", "samples_only")).WithSample(1, 1),
            histogramSeries));

        Assert.Empty(write.Invalid);
        Assert.Equal(5, write.SeriesCount);
        Assert.Equal(5, write.SampleCount);
        Assert.Equal(3, write.ExemplarCount);
        Assert.Equal(1, write.HistogramCount);
        Assert.Equal(["m1", "m2"], write.ExemplarsByMetric.Keys.Order());
        var m1 = write.ExemplarsByMetric["m1"];
        Assert.Equal(2, m1.Count);
        Assert.Equal("{__name__=\"m1\", job=\"a\"}", m1[0].Series.ToString());
    }

    [Fact]
    public void Exemplar_labels_drop_empty_values_and_timestamp_zero_means_none()
    {
        var write = WriteRequestReader.Read(Request(
            Series(("__name__", "m")).WithExemplar(1, 0, ("trace_id", "x"), ("empty", "")).WithExemplar(2, 7, ("trace_id", "y"))));
        var exemplars = write.ExemplarsByMetric["m"][0].Exemplars;
        Assert.Equal("{trace_id=\"x\"}", exemplars[0].Labels.ToString());
        Assert.False(exemplars[0].HasTimestamp);
        Assert.True(exemplars[1].HasTimestamp);
        Assert.Equal(7, exemplars[1].TimestampMs);
    }

    [Fact]
    public void Invalid_series_are_listed_with_reasons_and_the_rest_kept()
    {
        var badValue = Series(("__name__", "bad"));
        badValue.Labels.Add(new Label { Name = ByteString.CopyFromUtf8("job"), Value = ByteString.CopyFrom(0xff) });
        var badName = Series(("__name__", "bad"));
        badName.Labels.Add(new Label { Name = ByteString.CopyFrom(0xc3), Value = ByteString.CopyFromUtf8("v") });
        var badExemplar = Series(("__name__", "bad_exemplar"));
        var e = new Exemplar { Value = 1, Timestamp = 1 };
        e.Labels.Add(new Label { Name = ByteString.CopyFromUtf8("trace_id"), Value = ByteString.CopyFrom(0xfe) });
        badExemplar.Exemplars.Add(e);

        var write = WriteRequestReader.Read(Request(
            badValue, badName, badExemplar,
            Series(("job", "x")),
            Series(("__name__", "m"), ("a", "1"), ("a", "2")),
            Series(("__name__", "m"), ("", "v")),
            Series(("__name__", "")),
            Series(("__name__", "ok")).WithExemplar(1, 1, ("trace_id", "t"))));

        Assert.Equal([
            "value of label \"job\" is not valid UTF-8",
            "label name is not valid UTF-8",
            "exemplar: value of label \"trace_id\" is not valid UTF-8",
            "missing metric name (label __name__)",
            "duplicate label name \"a\"",
            "label with empty name",
            "missing metric name (label __name__)",
        ], write.Invalid.Select(i => i.Reason));
        Assert.Equal(["ok"], write.ExemplarsByMetric.Keys);
    }
}
