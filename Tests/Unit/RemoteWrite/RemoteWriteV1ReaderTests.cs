using System.Text;
using CsCheck;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using V1 = OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// The span-based 1.0 reader against Google.Protobuf's generated types as the oracle: on any bytes, it must give
/// <see cref="WriteRequestReader.Read"/>'s result for what Google.Protobuf parses, and refuse with a
/// <see cref="RemoteWriteFormatException"/> exactly what Google.Protobuf refuses.
/// </summary>
public sealed partial class RemoteWriteV1ReaderTests
{
    [Fact]
    public void Random_requests_with_unknown_fields_read_as_Google_Protobuf_reads_them() =>
        Gen.Int.Sample(seed => AssertSameAsOracle(new RandomRequest(new Random(seed)).Build(mutate: false)), iter: 3000);

    [Fact]
    public void The_random_requests_are_mostly_valid_protobuf_with_valid_and_invalid_series()
    {
        int parsed = 0, withSeries = 0, withInvalid = 0, withExemplars = 0, withHistograms = 0;
        for (var seed = 0; seed < 1000; seed++)
        {
            try
            {
                var w = WriteRequestReader.Read(V1.WriteRequest.Parser.ParseFrom(new RandomRequest(new Random(seed)).Build(mutate: false)));
                parsed++;
                if (w.Forward.Count > 0) withSeries++;
                if (w.Invalid.Count > 0) withInvalid++;
                if (w.ExemplarCount > 0) withExemplars++;
                if (w.Forward.Any(f => f.HistogramCount > 0)) withHistograms++;
            }
            catch (InvalidProtocolBufferException)
            {
            }
        }
        Assert.True(parsed > 600 && withSeries > 400 && withInvalid > 200 && withExemplars > 200 && withHistograms > 50,
            $"parsed {parsed}, with kept series {withSeries}, with invalid series {withInvalid}, with exemplars {withExemplars}, " +
            $"with valid native histograms {withHistograms}");
    }

    [Fact]
    public void Random_corrupted_requests_are_refused_exactly_when_Google_Protobuf_refuses_them() =>
        Gen.Int.Sample(seed => AssertSameAsOracle(new RandomRequest(new Random(seed)).Build(mutate: true)), iter: 5000);

    [Fact]
    public void Every_truncation_of_a_request_is_read_or_refused_as_the_oracle_does()
    {
        var bytes = new RandomRequest(new Random(7)).Build(mutate: false);
        for (var i = 0; i <= bytes.Length; i++) AssertSameAsOracle(bytes[..i]);
    }

    [Fact]
    public void Empty_and_edge_messages()
    {
        AssertSameAsOracle([]);
        AssertSameAsOracle([0x0A, 0x00]);                   // one empty series: missing metric name
        AssertSameAsOracle([0x1A, 0x00]);                   // one empty metadata
        AssertSameAsOracle([0x00]);                         // field number 0
        AssertSameAsOracle([0x0C]);                         // stray end group
        AssertSameAsOracle([0x0B, 0x0C]);                   // empty group 1 (field 1 with the wrong wire type)
        AssertSameAsOracle([0x0B, 0x14]);                   // group ended by another field's end tag
        AssertSameAsOracle([0x0E, 0x00]);                   // wire type 6
        AssertSameAsOracle([0x0F, 0x00]);                   // wire type 7
        AssertSameAsOracle([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);                            // negative length
        AssertSameAsOracle([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]);                            // huge length
        AssertSameAsOracle([0x08, .. Enumerable.Repeat((byte)0xFF, 9), 0x01]);               // 10-byte varint
        AssertSameAsOracle([0x08, .. Enumerable.Repeat((byte)0xFF, 10), 0x01]);              // 11-byte varint
        AssertSameAsOracle([0x08, .. Enumerable.Repeat((byte)0xFF, 20)]);                    // unterminated varint
        AssertSameAsOracle([0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00]); // long tag
        AssertSameAsOracle([0x0A, 0x80, 0x80, 0x80, 0x80, 0x10]);                            // length over 32 bits: 0
        AssertSameAsOracle(Enumerable.Repeat((byte)0xFF, 64).ToArray());
    }

    [Fact]
    public void Groups_nest_up_to_Google_Protobufs_recursion_limit()
    {
        for (var depth = 95; depth <= 105; depth++)
        {
            // An unknown group nested `depth` deep at the top, and inside a series' label.
            var groups = new List<byte>();
            for (var i = 0; i < depth; i++) groups.Add(0x2B);  // start group 5
            for (var i = 0; i < depth; i++) groups.Add(0x2C);  // end group 5
            AssertSameAsOracle(groups.ToArray());
            var label = new List<byte> { 0x0A, 0x01, (byte)'x' };
            label.AddRange(groups);
            var series = new List<byte> { 0x0A };
            AddVarint(series, (ulong)label.Count);
            series.AddRange(label);
            var request = new List<byte> { 0x0A };
            AddVarint(request, (ulong)series.Count);
            request.AddRange(series);
            AssertSameAsOracle(request.ToArray());
        }
    }

    [Fact]
    public void Label_names_sort_by_UTF16_code_units_as_LabelSet_does()
    {
        // U+E000 is one UTF-16 unit above the surrogates of U+1F680, but its UTF-8 bytes sort below them.
        var ts = new V1.TimeSeries();
        foreach (var (n, v) in new[] { ("\uE000", "a"), ("🚀", "b"), ("__name__", "m"), ("a", "") })
        {
            ts.Labels.Add(new V1.Label { Name = ByteString.CopyFromUtf8(n), Value = ByteString.CopyFromUtf8(v) });
        }
        ts.Samples.Add(new V1.Sample { Value = 1, Timestamp = 2 });
        var request = new V1.WriteRequest();
        request.Timeseries.Add(ts);
        AssertSameAsOracle(request.ToByteArray());
    }

    [Fact]
    public void Decoders_give_the_same_results_as_before()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var raw = new RandomRequest(new Random(seed)).Build(mutate: false);
            DecodedWrite? expected = null;
            var onlyUnknownFields = false;
            try
            {
                var parsed = V1.WriteRequest.Parser.ParseFrom(raw);
                expected = WriteRequestReader.Read(parsed);
                onlyUnknownFields = parsed.Timeseries.Count == 0 && parsed.Metadata.Count == 0 && parsed.CalculateSize() > 0;
            }
            catch (InvalidProtocolBufferException)
            {
            }
            var snappy = Snappier.Snappy.CompressToArray(raw);
            if (expected is null)
            {
                Assert.Throws<RemoteWriteFormatException>(() => RemoteWriteDecoder.ReadHttpBody(snappy, null, null, 1 << 20));
                continue;
            }
            Assert.Equal(Canonical(expected), Canonical(RemoteWriteDecoder.ReadHttpBody(snappy, null, null, 1 << 20)));
            Assert.Equal(Canonical(expected), Canonical(RemoteWriteDecoder.ReadHttpBody(raw, null, "identity", 1 << 20)));
            if (onlyUnknownFields)
            {
                // A queue message of unknown fields alone is refused (RemoteWriteMessageDecoder.CheckContent).
                Assert.Contains("only unknown ones", Assert.Throws<RemoteWriteFormatException>(
                    () => RemoteWriteMessageDecoder.Decode(snappy, null, "snappy", 1 << 20)).Message);
                continue;
            }
            Assert.Equal(Canonical(expected), Canonical(RemoteWriteMessageDecoder.Decode(snappy, null, "snappy", 1 << 20)));
            Assert.Equal(Canonical(expected), Canonical(RemoteWriteMessageDecoder.Decode(raw, null, null, 1 << 20)));
        }
    }

    private static void AssertSameAsOracle(byte[] bytes)
    {
        V1.WriteRequest parsed;
        try
        {
            parsed = V1.WriteRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException refusal)
        {
            DecodedWrite? accepted = null;
            var e = Record.Exception(() => accepted = RemoteWriteV1Reader.Read(bytes));
            Assert.True(e is RemoteWriteFormatException { Error: RemoteWriteFormatError.BadProtobuf },
                $"Google.Protobuf refused {Convert.ToHexString(bytes)} ({refusal.Message}); the reader " +
                (e is null ? "read it: " + Canonical(accepted!) : "threw " + e));
            return;
        }
        var oracle = WriteRequestReader.Read(parsed);
        var expected = Canonical(oracle);
        DecodedWrite read;
        try
        {
            read = RemoteWriteV1Reader.Read(bytes);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Google.Protobuf read {Convert.ToHexString(bytes)}; the reader threw {e}");
        }
        var actual = Canonical(read);
        Assert.True(expected == actual, $"{Convert.ToHexString(bytes)}\nexpected:\n{expected}\nactual:\n{actual}");

        // Samples-only series carry their labels as wire bytes: same shard, and the forwarder writes the same bytes.
        Assert.Equal(oracle.Forward.Select(f => ForwardSharding.ShardOf(f.Labels, 16)),
            read.Forward.Select(f => ForwardSharding.ShardOf(f, 16)));
        Assert.Equal(WriteRequestV1Writer.Write(oracle.Forward, sendExemplars: true),
            WriteRequestV1Writer.Write(read.Forward, sendExemplars: true));
        Assert.Equal(WriteRequestV1Writer.Write(oracle.Forward, sendExemplars: false),
            WriteRequestV1Writer.Write(read.Forward, sendExemplars: false));
    }

    [Fact]
    public void A_series_with_wire_labels_survives_Orleans_serialization()
    {
        var request = new V1.WriteRequest();
        request.Timeseries.Add(WriteRequests.Series(("__name__", "up"), ("job", "zürich"), ("a", ""))
            .WithSample(1, 2));
        var series = Assert.Single(RemoteWriteV1Reader.Read(request.ToByteArray()).Forward);
        Assert.NotNull(series.WireLabels);
        var serializer = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(ForwardSeries).Assembly)).BuildServiceProvider()
            .GetRequiredService<Orleans.Serialization.Serializer>();
        var copy = serializer.Deserialize<ForwardSeries>(serializer.SerializeToArray(series))!;
        Assert.Equal(series.WireLabels, copy.WireLabels);
        Assert.Equal(LabelSet.From(("__name__", "up"), ("a", ""), ("job", "zürich")), copy.Labels);
        Assert.Equal(series.Samples, copy.Samples);
        Assert.Empty(copy.Exemplars);
        var fromLabels = serializer.Deserialize<ForwardSeries>(serializer.SerializeToArray(
            new ForwardSeries(copy.Labels, copy.Samples, [])))!;
        Assert.Null(fromLabels.WireLabels);
        Assert.Equal(copy.Labels, fromLabels.Labels);
    }

    /// <summary>Everything a <see cref="DecodedWrite"/> holds, doubles by their bits.</summary>
    private static string Canonical(DecodedWrite w)
    {
        var sb = new StringBuilder();
        sb.Append($"series={w.SeriesCount} samples={w.SampleCount} exemplars={w.ExemplarCount} histograms={w.HistogramCount}\n");
        foreach (var i in w.Invalid) sb.Append("invalid ").Append(i.Labels).Append(" : ").Append(i.Reason).Append('\n');
        foreach (var f in w.Forward)
        {
            sb.Append("forward ").Append(f.Labels).Append(" samples");
            foreach (var s in f.Samples) sb.Append(' ').Append(BitConverter.DoubleToInt64Bits(s.Value)).Append('@').Append(s.TimestampMs);
            Exemplars(sb, f.Exemplars);
            // NativeHistogram.ToString writes every field, doubles round-trippable.
            foreach (var h in f.Histograms) sb.Append(" histogram ").Append(h);
            sb.Append('\n');
        }
        foreach (var (metric, list) in w.ExemplarsByMetric.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var s in list)
            {
                sb.Append("metric ").Append(metric).Append(' ').Append(s.Series).Append(s.NativeHistogram ? " native" : "");
                Exemplars(sb, s.Exemplars);
                sb.Append('\n');
            }
        }
        return sb.ToString();

        static void Exemplars(StringBuilder sb, Exemplar[] exemplars)
        {
            sb.Append(" exemplars");
            foreach (var e in exemplars)
            {
                sb.Append(' ').Append(e.Labels).Append(BitConverter.DoubleToInt64Bits(e.Value)).Append('@')
                  .Append(e.TimestampMs).Append(e.HasTimestamp ? "t" : "f");
            }
        }
    }
}
