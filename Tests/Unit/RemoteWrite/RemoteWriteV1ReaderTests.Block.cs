using CsCheck;
using Google.Protobuf;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using Xunit;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>Reading a request to forward it whole (Kafka): <see cref="DecodedWrite.Block"/> and exemplar stripping.</summary>
public sealed partial class RemoteWriteV1ReaderTests
{
    private static V1.Label PbLabel(string name, string value) =>
        new() { Name = ByteString.CopyFromUtf8(name), Value = ByteString.CopyFromUtf8(value) };

    /// <summary>Series <c>m{i="0".."n-1"}</c>, labels sorted, one sample each (value i at 1 000 + i), some with an exemplar.</summary>
    private static V1.WriteRequest SortedRequest(int series, Func<int, bool> withExemplar)
    {
        var request = new V1.WriteRequest();
        for (var i = 0; i < series; i++)
        {
            var ts = new V1.TimeSeries();
            ts.Labels.Add(PbLabel("__name__", "m"));
            ts.Labels.Add(PbLabel("i", i.ToString()));
            ts.Samples.Add(new V1.Sample { Value = i, Timestamp = 1_000 + i });
            if (withExemplar(i)) ts.Exemplars.Add(new V1.Exemplar { Value = i, Timestamp = 999, Labels = { PbLabel("trace_id", $"t{i}") } });
            request.Timeseries.Add(ts);
        }
        return request;
    }

    private static DecodedWrite ReadAsBlock(byte[] bytes) =>
        RemoteWriteMessageDecoder.Decode(bytes, null, "identity", int.MaxValue, forwardAsBlock: true);

    private static DecodedWrite ReadPerSeries(byte[] bytes) =>
        RemoteWriteMessageDecoder.Decode(bytes, null, "identity", int.MaxValue);

    [Fact]
    public void A_request_read_as_a_block_keeps_its_bytes_or_falls_back_to_the_usual_reading()
    {
        var blocks = 0;
        var fallbacks = 0;
        Gen.Int.Sample(seed =>
        {
            var bytes = new RandomRequest(new Random(seed)).Build(mutate: false);
            DecodedWrite usual;
            try
            {
                usual = ReadPerSeries(bytes);
            }
            catch (RemoteWriteFormatException)
            {
                Assert.Throws<RemoteWriteFormatException>(() => ReadAsBlock(bytes));
                return;
            }
            var asBlock = ReadAsBlock(bytes);
            if (asBlock.Block is not { } block)
            {
                Interlocked.Increment(ref fallbacks);
                // Nothing to send, or something not forwardable as sent: the usual result, forward list included.
                Assert.Equal(Canonical(usual), Canonical(asBlock));
                Assert.True(usual.Invalid.Count > 0 || usual.HistogramCount > 0 || usual.Forward.Count == 0 ||
                            SomeSeriesHasUnsortedLabels(bytes));
                return;
            }
            Interlocked.Increment(ref blocks);
            Assert.Empty(usual.Invalid);
            Assert.Equal(0, usual.HistogramCount);
            Assert.Equal(bytes, block.Bytes);
            Assert.Empty(asBlock.Forward);
            // Everything but the forward list is the usual result, and the block's counts are the forward list's.
            Assert.Equal(CanonicalWithoutForward(usual), Canonical(asBlock));
            Assert.Equal(usual.Forward.Count, block.Series);
            Assert.Equal(usual.Forward.Sum(f => f.Samples.Length), block.Samples);
            Assert.Equal(usual.Forward.Sum(f => f.Exemplars.Length), block.Exemplars);
            Assert.Equal(usual.Forward.SelectMany(f => f.Samples).Select(s => (long?)s.TimestampMs).Max(), block.HighestTimestampMs);
        }, iter: 3000);
        Assert.True(blocks > 50 && fallbacks > 50, $"{blocks} blocks, {fallbacks} fallbacks: the generator must give both");
    }

    [Fact]
    public void Without_forwarding_a_request_is_read_as_usual_but_keeps_no_forward_list() =>
        Gen.Int.Sample(seed =>
        {
            var bytes = new RandomRequest(new Random(seed)).Build(mutate: false);
            DecodedWrite usual;
            try
            {
                usual = RemoteWriteDecoder.ReadHttpBody(bytes, null, "identity", int.MaxValue);
            }
            catch (RemoteWriteFormatException)
            {
                Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.ReadHttpBody(bytes, null, "identity", int.MaxValue, forwarding: false));
                return;
            }
            var unforwarded = RemoteWriteDecoder.ReadHttpBody(bytes, null, "identity", int.MaxValue, forwarding: false);
            Assert.Empty(unforwarded.Forward);
            Assert.Null(unforwarded.Block);
            Assert.Equal(CanonicalWithoutForward(usual), Canonical(unforwarded));
        }, iter: 2000);

    /// <summary><see cref="Canonical"/> of everything but the forward list (label values may hold line breaks).</summary>
    private static string CanonicalWithoutForward(DecodedWrite w)
    {
        var forward = w.Forward.ToList();
        w.Forward.Clear();
        try
        {
            return Canonical(w);
        }
        finally
        {
            w.Forward.AddRange(forward);
        }
    }

    /// <summary>Whether a series' label names were sent out of <see cref="LabelSet"/>'s order (Google.Protobuf's reading).</summary>
    private static bool SomeSeriesHasUnsortedLabels(byte[] request) =>
        V1.WriteRequest.Parser.ParseFrom(request).Timeseries.Any(ts => ts.Labels
            .Zip(ts.Labels.Skip(1), (a, b) => string.CompareOrdinal(a.Name.ToStringUtf8(), b.Name.ToStringUtf8()) > 0)
            .Any(unsorted => unsorted));

    [Fact]
    public void Unsorted_labels_are_not_forwarded_as_sent()
    {
        var request = new V1.WriteRequest();
        var series = new V1.TimeSeries();
        series.Labels.Add(PbLabel("job", "j"));
        series.Labels.Add(PbLabel("__name__", "up"));
        series.Samples.Add(new V1.Sample { Value = 1, Timestamp = 5 });
        request.Timeseries.Add(series);
        var read = ReadAsBlock(request.ToByteArray());
        Assert.Null(read.Block);
        Assert.Equal(LabelSet.From(("__name__", "up"), ("job", "j")), Assert.Single(read.Forward).Labels);
    }

    [Fact]
    public void Stripping_exemplars_is_what_Google_Protobuf_gives_with_the_exemplars_cleared()
    {
        var checkedRequests = 0;
        Gen.Int.Sample(seed =>
        {
            var bytes = new RandomRequest(new Random(seed)).Build(mutate: false);
            V1.WriteRequest expected;
            try
            {
                expected = V1.WriteRequest.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                return;
            }
            foreach (var ts in expected.Timeseries) ts.Exemplars.Clear();
            var stripped = RemoteWriteV1Reader.WithoutExemplars(bytes);
            Assert.Equal(expected, V1.WriteRequest.Parser.ParseFrom(stripped));
            Assert.True(stripped.Length <= bytes.Length);
            Interlocked.Increment(ref checkedRequests);
        }, iter: 2000);
        Assert.True(checkedRequests > 500, $"only {checkedRequests} parseable requests");
    }

    [Fact]
    public void A_block_is_written_as_it_came_and_after_it_other_series_concatenate_into_one_request()
    {
        var request = SortedRequest(series: 5, withExemplar: i => i % 2 == 0);
        var block = ReadAsBlock(request.ToByteArray()).Block!;
        Assert.Equal((5, 5, 3, 1_004L), (block.Series, block.Samples, block.Exemplars, block.HighestTimestampMs!.Value));
        var other = new ForwardSeries(LabelSet.From(("__name__", "other")), [new Sample(7, 2_000)], []);

        var withExemplars = V1.WriteRequest.Parser.ParseFrom(WriteRequestV1Writer.Write([new ForwardSeries(block), other], sendExemplars: true));
        Assert.Equal(6, withExemplars.Timeseries.Count);
        Assert.Equal(request.Timeseries, withExemplars.Timeseries.Take(5));
        Assert.Equal("other", withExemplars.Timeseries[5].Labels[0].Value.ToStringUtf8());

        var without = V1.WriteRequest.Parser.ParseFrom(WriteRequestV1Writer.Write([new ForwardSeries(block), other], sendExemplars: false));
        Assert.All(without.Timeseries, ts => Assert.Empty(ts.Exemplars));
        Assert.Equal(request.Timeseries.Select(ts => ts.Samples[0]), without.Timeseries.Take(5).Select(ts => ts.Samples[0]));
    }

    [Fact]
    public void For_a_remote_write_2_endpoint_a_block_is_encoded_as_its_series()
    {
        var request = SortedRequest(series: 3, withExemplar: _ => true);
        var bytes = request.ToByteArray();
        var block = ReadAsBlock(bytes).Block!;
        foreach (var sendExemplars in new[] { true, false })
        {
            var asBlock = OrleansExemplars.Grains.Forwarding.RemoteWriteEncoder.EncodeV2([new ForwardSeries(block)], sendExemplars);
            var asSeries = OrleansExemplars.Grains.Forwarding.RemoteWriteEncoder.EncodeV2(ReadPerSeries(bytes).Forward, sendExemplars);
            Assert.Equal(asSeries.Body, asBlock.Body);
            Assert.Equal((asSeries.Series, asSeries.Samples, asSeries.Exemplars, asSeries.HighestTimestampMs),
                (asBlock.Series, asBlock.Samples, asBlock.Exemplars, asBlock.HighestTimestampMs));
        }
    }
}
