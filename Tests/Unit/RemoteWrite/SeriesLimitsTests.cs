using Google.Protobuf;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// Length limits on metric names, label names and label values, the same on every decoding path (HTTP 1.0 and 2.0,
/// Kafka 1.0 whole or by series, Google.Protobuf's 1.0 model): a series over a limit is refused with a reason naming
/// the limit, the others of the request are kept.
/// </summary>
public sealed class SeriesLimitsTests
{
    private const int Storable = SeriesLimits.StorableMetricNameLength;

    public static TheoryData<string> Paths =>
        ["http-v1", "http-v1-no-forwarding", "http-v2", "kafka-v1", "kafka-v1-block", "kafka-v2", "protobuf-v1"];

    internal static DecodedWrite Decode(string path, WriteRequest request, SeriesLimits? limits = null)
    {
        var raw = request.ToByteArray();
        var v2 = WriteRequestsV2.ToV2(request).ToByteArray();
        const int max = RemoteWriteDecoder.DefaultMaxDecompressedBytes;
        return path switch
        {
            "http-v1" => RemoteWriteDecoder.ReadHttpBody(Snappier.Snappy.CompressToArray(raw), null, "snappy", max, limits: limits),
            "http-v1-no-forwarding" => RemoteWriteDecoder.ReadHttpBody(Snappier.Snappy.CompressToArray(raw), null, "snappy", max,
                forwarding: false, limits),
            "http-v2" => RemoteWriteDecoder.ReadHttpBody(Snappier.Snappy.CompressToArray(v2), RemoteWriteDecoder.V2ContentType,
                "snappy", max, limits: limits),
            "kafka-v1" => RemoteWriteMessageDecoder.Decode(raw, null, null, max, limits: limits),
            "kafka-v1-block" => RemoteWriteMessageDecoder.Decode(raw, null, null, max, forwardAsBlock: true, limits),
            "kafka-v2" => RemoteWriteMessageDecoder.Decode(v2, RemoteWriteDecoder.V2ContentType, "identity", max, limits: limits),
            "protobuf-v1" => WriteRequestReader.Read(request, limits),
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };
    }

    private static TimeSeries Kept(string name = "kept_metric") =>
        Series(("__name__", name), ("job", "j")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "kept"));

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_metric_name_longer_than_a_grain_key_can_be_stored_is_refused_and_the_rest_kept(string path)
    {
        var longName = new string('n', 2000);
        var write = Decode(path, Request(
            Series(("__name__", longName), ("job", "j")).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "long")),
            Kept()));

        var invalid = Assert.Single(write.Invalid);
        Assert.Contains($"metric name is 2000 characters long, more than the {Storable} allowed (Ingest:MaxMetricNameLength", invalid.Reason);
        // The series is named, its 2 000 characters abbreviated.
        Assert.Contains("nnnnnnnn…(2000 characters)", invalid.Labels);
        Assert.True(invalid.ToString().Length < 600, invalid.ToString());
        Assert.Equal(["kept_metric"], write.ExemplarsByMetric.Keys);
        Assert.Equal(2, write.SeriesCount);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_metric_name_at_the_storable_length_is_kept(string path)
    {
        var name = new string('m', Storable);
        var write = Decode(path, Request(Series(("__name__", name)).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "t"))));
        Assert.Empty(write.Invalid);
        Assert.Equal([name], write.ExemplarsByMetric.Keys);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Over_long_label_names_and_values_are_refused_counting_characters_not_bytes(string path)
    {
        var limits = new SeriesLimits(MaxMetricNameLength: 40, MaxLabelNameLength: 20, MaxLabelValueLength: 50);
        var write = Decode(path, Request(
            Series(("__name__", "m1"), (new string('l', 21), "v")).WithSample(1, 1000),
            Series(("__name__", "m2"), ("path", new string('x', 51))).WithSample(1, 1000),
            // 50 characters of 3 UTF-8 bytes each: 150 bytes, within a 50-character limit.
            Series(("__name__", "m3"), ("path", new string('€', 50))).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "euro")),
            // An astral character is two UTF-16 code units: 26 of them are 52.
            Series(("__name__", "m4"), ("emoji", string.Concat(Enumerable.Repeat("😀", 26)))).WithSample(1, 1000),
            Series(("__name__", new string('m', 41))).WithSample(1, 1000),
            Series(("__name__", "m5")).WithSample(1, 1000).WithExemplar(1, 1000, (new string('e', 21), "x"))),
            limits);

        Assert.Equal(5, write.Invalid.Count);
        Assert.Contains("is 21 characters long, more than the 20 allowed (Ingest:MaxLabelNameLength)", write.Invalid[0].Reason);
        Assert.Equal("value of label \"path\" is 51 characters long, more than the 50 allowed (Ingest:MaxLabelValueLength)",
            write.Invalid[1].Reason);
        Assert.Equal("value of label \"emoji\" is 52 characters long, more than the 50 allowed (Ingest:MaxLabelValueLength)",
            write.Invalid[2].Reason);
        Assert.StartsWith("metric name is 41 characters long, more than the 40 allowed", write.Invalid[3].Reason);
        Assert.StartsWith("exemplar: label name", write.Invalid[4].Reason);
        Assert.Equal(["m3"], write.ExemplarsByMetric.Keys);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_metric_name_with_more_slashes_than_a_blob_name_has_segments_is_refused(string path)
    {
        var many = string.Concat(Enumerable.Repeat("a/", SeriesLimits.MaxMetricNameSlashes + 1));
        var most = string.Concat(Enumerable.Repeat("a/", SeriesLimits.MaxMetricNameSlashes));
        var write = Decode(path, Request(
            Series(("__name__", many)).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "many")),
            Series(("__name__", most)).WithSample(1, 1000).WithExemplar(1, 1000, ("trace_id", "most"))));

        Assert.Contains($"holds {SeriesLimits.MaxMetricNameSlashes + 1} '/'", Assert.Single(write.Invalid).Reason);
        Assert.Equal([most], write.ExemplarsByMetric.Keys);
    }

    [Fact]
    public void Ingest_options_default_to_the_storable_length_and_map_to_limits()
    {
        var options = new IngestLimitsOptions();
        Assert.Equal(SeriesLimits.Default, options.ToLimits());
        Assert.Equal(1002, SeriesLimits.StorableMetricNameLength);
        options.MaxMetricNameLength = 5000;
        Assert.Equal(5000, options.ToLimits().MaxMetricNameLength);
    }
}
