using Google.Protobuf;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;
using Label = OrleansExemplars.Prometheus.RemoteWrite.V1.Label;
using Sample = OrleansExemplars.Prometheus.RemoteWrite.V1.Sample;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// <c>Ingest:NameValidation</c> on every decoding path (HTTP 1.0 and 2.0, Kafka 1.0 whole or by series and 2.0,
/// Google.Protobuf's 1.0 model): <c>Utf8</c> (the default, as Prometheus 3's <c>model.UTF8Validation</c>) takes any
/// non-empty valid UTF-8 name, <c>Legacy</c> only Prometheus 2's character sets; invalid UTF-8 and empty names are
/// refused under both.
/// </summary>
public sealed class NameValidationTests
{
    public static TheoryData<string> Paths => SeriesLimitsTests.Paths;

    private static readonly SeriesLimits Legacy = SeriesLimits.Default with { NameValidation = NameValidationScheme.Legacy };

    private static TimeSeries Utf8Series() =>
        Series(("__name__", "http.server.request.duration"), ("service.name", "api"), ("名前", "値"), ("job", "j"))
            .WithSample(1, 1000).WithExemplar(0.25, 1000, ("trace.id", "t1"));

    private static TimeSeries Kept() =>
        Series(("__name__", "kept:metric_total"), ("job", "j")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "kept"));

    [Theory]
    [MemberData(nameof(Paths))]
    public void Utf8_names_are_accepted_by_default(string path)
    {
        var write = SeriesLimitsTests.Decode(path, Request(Utf8Series(), Kept()));

        Assert.Empty(write.Invalid);
        Assert.Equal(["http.server.request.duration", "kept:metric_total"], write.ExemplarsByMetric.Keys.Order(StringComparer.Ordinal));
        var series = Assert.Single(write.ExemplarsByMetric["http.server.request.duration"]);
        Assert.Equal("api", series.Series.Get("service.name"));
        Assert.Equal("値", series.Series.Get("名前"));
        Assert.Equal("t1", Assert.Single(series.Exemplars).Labels.Get("trace.id"));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Names_Prometheus_3_allows_that_look_like_syntax_are_names_too(string path)
    {
        string[] names = ["a/b/c", "with space", "quote\"and'apostrophe", "emoji_🚀", "0starts_with_digit", "a#3", "-", "{}"];
        var write = SeriesLimitsTests.Decode(path, Request(names
            .Select(n => Series(("__name__", n), (n, n)).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", n))).ToArray()));

        Assert.Empty(write.Invalid);
        Assert.Equal(names.Order(StringComparer.Ordinal), write.ExemplarsByMetric.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Legacy_refuses_a_utf8_metric_name_and_keeps_the_rest(string path)
    {
        var write = SeriesLimitsTests.Decode(path, Request(Utf8Series(), Kept()), Legacy);

        var invalid = Assert.Single(write.Invalid);
        Assert.Equal("metric name \"http.server.request.duration\" is not a legacy Prometheus name " +
                     "([a-zA-Z_:][a-zA-Z0-9_:]*; Ingest:NameValidation is Legacy)", invalid.Reason);
        Assert.Contains("service.name=\"api\"", invalid.Labels);
        Assert.Equal(["kept:metric_total"], write.ExemplarsByMetric.Keys);
        Assert.Equal(2, write.SeriesCount);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Legacy_refuses_a_utf8_label_name_of_the_series(string path)
    {
        var write = SeriesLimitsTests.Decode(path, Request(
            Series(("__name__", "m"), ("zone", "z"), ("service.name", "api")).WithSample(1, 1000), Kept()), Legacy);

        var invalid = Assert.Single(write.Invalid);
        Assert.Equal("label name \"service.name\" is not a legacy Prometheus name " +
                     "([a-zA-Z_][a-zA-Z0-9_]*; Ingest:NameValidation is Legacy)", invalid.Reason);
        Assert.Equal(["kept:metric_total"], write.ExemplarsByMetric.Keys);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Legacy_checks_the_character_sets_as_Prometheus_2_does(string path)
    {
        // Colons: metric names only; digits: not first; exemplar labels are not series labels (Prometheus checks
        // only the series' labels: labels.IsValid).
        var write = SeriesLimitsTests.Decode(path, Request(
            Series(("__name__", "a:b_c9"), ("_x9", "v")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace.id", "t")),
            Series(("__name__", "9a")).WithSample(1, 1000),
            Series(("__name__", "ok"), ("a:b", "v")).WithSample(1, 1000),
            Series(("__name__", "ok"), ("9a", "v")).WithSample(1, 1000),
            Series(("__name__", "é")).WithSample(1, 1000)), Legacy);

        Assert.Equal(["a:b_c9"], write.ExemplarsByMetric.Keys);
        Assert.Equal([
            "metric name \"9a\"", "label name \"a:b\"", "label name \"9a\"", "metric name \"é\"",
        ], write.Invalid.Select(i => i.Reason[..i.Reason.IndexOf(" is not", StringComparison.Ordinal)]));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Empty_and_invalid_utf8_names_are_refused_under_both_schemes(string path)
    {
        foreach (var limits in new[] { SeriesLimits.Default, Legacy })
        {
            var badName = new TimeSeries();
            badName.Labels.Add(L("__name__", "m"));
            badName.Labels.Add(new Label { Name = ByteString.CopyFrom(0x61, 0xFF), Value = ByteString.CopyFromUtf8("v") });
            badName.Samples.Add(new Sample { Value = 1, Timestamp = 1000 });
            var badMetric = new TimeSeries();
            badMetric.Labels.Add(new Label { Name = ByteString.CopyFromUtf8("__name__"), Value = ByteString.CopyFrom(0xC3) });
            badMetric.Samples.Add(new Sample { Value = 1, Timestamp = 1000 });

            var write = SeriesLimitsTests.Decode(path, Request(
                Series(("__name__", "m"), ("", "v")).WithSample(1, 1000),
                Series(("__name__", ""), ("job", "j")).WithSample(1, 1000),
                badName, badMetric, Kept()), limits);

            Assert.Equal([
                SeriesValidation.EmptyLabelName, SeriesValidation.MissingMetricName, SeriesValidation.InvalidLabelName,
                SeriesValidation.InvalidLabelValue("__name__"),
            ], write.Invalid.Select(i => i.Reason));
            Assert.Equal(["kept:metric_total"], write.ExemplarsByMetric.Keys);
        }
    }
    [Theory]
    [MemberData(nameof(Paths))]
    public void Names_whose_grain_blob_Azure_would_fold_into_another_are_refused(string path)
    {
        // Azure Blob storage (Azurite shows it) reads a blob name as a URL path: "a/../b" would be "b"'s blob,
        // "x\y" "x/y"'s. A dot segment last ("x/..") gets ".json" appended and stays its own.
        var write = SeriesLimitsTests.Decode(path, Request(
            Series(("__name__", "a/../b")).WithSample(1, 1000),
            Series(("__name__", "dir/./x")).WithSample(1, 1000),
            Series(("__name__", "../up")).WithSample(1, 1000),
            Series(("__name__", "back\\slash")).WithSample(1, 1000),
            Series(("__name__", "x/..")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "a")),
            Series(("__name__", "a./b...c/.d")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "b"))));

        Assert.Equal([
            "metric name \"a/../b\" has a \"..\" path segment",
            "metric name \"dir/./x\" has a \".\" path segment",
            "metric name \"../up\" has a \"..\" path segment",
            "metric name \"back\\slash\" holds '\\'",
        ], write.Invalid.Select(i => i.Reason[..(i.Reason.IndexOf(" path segment", StringComparison.Ordinal) is var p and > 0
            ? p + " path segment".Length : i.Reason.IndexOf(", which", StringComparison.Ordinal))]));
        Assert.Equal(["a./b...c/.d", "x/.."], write.ExemplarsByMetric.Keys.Order(StringComparer.Ordinal));
    }
}
