using System.Text;
using CsCheck;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExemplars.GrainInterfaces;
using OrleansExemplars.GrainInterfaces.Model;
using OrleansExemplars.GrainInterfaces.RemoteWrite;
using OrleansExemplars.Tests.Support;
using Xunit;
using V1 = OrleansExemplars.GrainInterfaces.RemoteWrite.V1;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>
/// The span-based 1.0 reader against Google.Protobuf's generated types as the oracle: on any bytes, it must give
/// <see cref="WriteRequestReader.Read"/>'s result for what Google.Protobuf parses, and refuse with a
/// <see cref="RemoteWriteFormatException"/> exactly what Google.Protobuf refuses.
/// </summary>
public sealed class RemoteWriteV1ReaderTests
{
    [Fact]
    public void Random_requests_with_unknown_fields_read_as_Google_Protobuf_reads_them() =>
        Gen.Int.Sample(seed => AssertSameAsOracle(new RandomRequest(new Random(seed)).Build(mutate: false)), iter: 3000);

    [Fact]
    public void The_random_requests_are_mostly_valid_protobuf_with_valid_and_invalid_series()
    {
        int parsed = 0, withSeries = 0, withInvalid = 0, withExemplars = 0;
        for (var seed = 0; seed < 1000; seed++)
        {
            try
            {
                var w = WriteRequestReader.Read(V1.WriteRequest.Parser.ParseFrom(new RandomRequest(new Random(seed)).Build(mutate: false)));
                parsed++;
                if (w.Forward.Count > 0) withSeries++;
                if (w.Invalid.Count > 0) withInvalid++;
                if (w.ExemplarCount > 0) withExemplars++;
            }
            catch (InvalidProtocolBufferException)
            {
            }
        }
        Assert.True(parsed > 600 && withSeries > 400 && withInvalid > 200 && withExemplars > 200,
            $"parsed {parsed}, with kept series {withSeries}, with invalid series {withInvalid}, with exemplars {withExemplars}");
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
            sb.Append('\n');
        }
        foreach (var (metric, list) in w.ExemplarsByMetric.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var s in list)
            {
                sb.Append("metric ").Append(metric).Append(' ').Append(s.Series);
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

    private static void AddVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }

    /// <summary>
    /// A random WriteRequest written field by field: fields in random order, singular fields repeated, unknown fields
    /// of every wire type (groups included) at every level, packed and unpacked repeated scalars, non-minimal
    /// varints, label bytes that are empty, duplicated, unsorted or not UTF-8; optionally corrupted afterwards.
    /// </summary>
    private sealed class RandomRequest(Random r)
    {
        private static readonly byte[][] Names =
        [
            U("__name__"), U("__name__"), U("job"), U("a"), U("b"), U("instance"), U(""), U("é"), U("\uE000"),
            U("🚀"), [0xFF], [0xC3], [0xED, 0xA0, 0x80], U("trace_id"), U("span_id"),
        ];

        private static readonly string[] GoodNames = ["a", "b", "instance", "job", "é", "\uE000", "🚀"];

        private static readonly byte[][] Values =
        [
            U("m1"), U("m2"), U("metric_three"), U(""), U(""), U("v"), U("中文 \"q\" \\ \n"), U("🚀"), [0xFF, 0x41],
            [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        ];

        private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

        public byte[] Build(bool mutate)
        {
            var output = new List<byte>();
            var fields = new List<Action<List<byte>>>();
            var series = r.Next(0, 6);
            for (var i = 0; i < series; i++) fields.Add(o => Message(o, 1, Series));
            if (r.Next(4) == 0) fields.Add(o => Message(o, 3, Metadata));
            AddUnknown(fields, 0, 2);
            Shuffle(fields);
            foreach (var f in fields) f(output);
            var bytes = output.ToArray();
            return mutate ? Mutate(bytes) : bytes;
        }

        private byte[] Mutate(byte[] bytes)
        {
            var list = bytes.ToList();
            var n = r.Next(1, 3);
            for (var k = 0; k < n; k++)
            {
                switch (r.Next(5))
                {
                    case 0 when list.Count > 0:
                    {
                        var cut = r.Next(list.Count);
                        list.RemoveRange(cut, list.Count - cut);
                        break;
                    }
                    case 1 when list.Count > 0:
                        list[r.Next(list.Count)] = (byte)r.Next(256);
                        break;
                    case 2:
                        list.Insert(r.Next(list.Count + 1), (byte)r.Next(256));
                        break;
                    case 3 when list.Count > 0:
                        list[r.Next(list.Count)] ^= (byte)(1 << r.Next(8));
                        break;
                    default:
                        list.InsertRange(r.Next(list.Count + 1), Enumerable.Repeat((byte)0xFF, r.Next(1, 12)));
                        break;
                }
            }
            return list.ToArray();
        }

        private void Series(List<byte> o)
        {
            var fields = new List<Action<List<byte>>>();
            if (r.Next(3) > 0)
            {
                // Mostly what Prometheus sends: valid, sorted, unique names, a metric name; sometimes one odd label more.
                fields.Add(x => Message(x, 1, l => { Bytes(l, 1, U("__name__")); Bytes(l, 2, Values[r.Next(3)]); }));
                foreach (var name in GoodNames.Where(_ => r.Next(2) == 0))
                {
                    fields.Add(x => Message(x, 1, l => { Bytes(l, 1, U(name)); Bytes(l, 2, U("v" + r.Next(3))); }));
                }
                if (r.Next(4) == 0) fields.Add(x => Message(x, 1, Label));
            }
            else
            {
                var labels = r.Next(0, 6);
                for (var i = 0; i < labels; i++) fields.Add(x => Message(x, 1, Label));
            }
            var samples = r.Next(0, 4);
            for (var i = 0; i < samples; i++) fields.Add(x => Message(x, 2, Sample));
            var exemplars = r.Next(2) == 0 ? r.Next(1, 3) : 0;
            for (var i = 0; i < exemplars; i++) fields.Add(x => Message(x, 3, Exemplar));
            if (r.Next(5) == 0) fields.Add(x => Message(x, 4, Histogram));
            AddUnknown(fields, 5, 1);
            // Prometheus sends labels first and sorted; mostly keep that order, sometimes shuffle everything.
            if (r.Next(3) == 0) Shuffle(fields);
            foreach (var f in fields) f(o);
        }

        private void Label(List<byte> o)
        {
            var fields = new List<Action<List<byte>>>();
            var name = Names[r.Next(Names.Length)];
            var value = Values[r.Next(Values.Length)];
            if (r.Next(10) > 0) fields.Add(x => Bytes(x, 1, name));
            if (r.Next(10) > 0) fields.Add(x => Bytes(x, 2, value));
            if (r.Next(15) == 0) fields.Add(x => Bytes(x, 2, Values[r.Next(Values.Length)])); // repeated: last wins
            AddUnknown(fields, 3, 1);
            if (r.Next(4) == 0) Shuffle(fields);
            foreach (var f in fields) f(o);
        }

        private void Sample(List<byte> o)
        {
            var fields = new List<Action<List<byte>>>();
            if (r.Next(8) > 0) fields.Add(x => Fixed64(x, 1, RandomDouble()));
            if (r.Next(8) > 0) fields.Add(x => Varint(x, 2, (ulong)RandomLong()));
            if (r.Next(10) == 0) fields.Add(x => Varint(x, 2, (ulong)RandomLong()));
            AddUnknown(fields, 3, 1);
            Shuffle(fields);
            foreach (var f in fields) f(o);
        }

        private void Exemplar(List<byte> o)
        {
            var fields = new List<Action<List<byte>>>();
            if (r.Next(3) > 0)
            {
                fields.Add(x => Message(x, 1, l => { Bytes(l, 1, U("trace_id")); Bytes(l, 2, U(r.Next(4) == 0 ? "" : "abc" + r.Next(9))); }));
                if (r.Next(2) == 0) fields.Add(x => Message(x, 1, l => { Bytes(l, 1, U("span_id")); Bytes(l, 2, U("s")); }));
                if (r.Next(5) == 0) fields.Add(x => Message(x, 1, Label));
            }
            else
            {
                var labels = r.Next(0, 4);
                for (var i = 0; i < labels; i++) fields.Add(x => Message(x, 1, Label));
            }
            if (r.Next(6) > 0) fields.Add(x => Fixed64(x, 2, RandomDouble()));
            if (r.Next(6) > 0) fields.Add(x => Varint(x, 3, r.Next(3) == 0 ? 0 : (ulong)RandomLong()));
            AddUnknown(fields, 4, 1);
            if (r.Next(3) == 0) Shuffle(fields);
            foreach (var f in fields) f(o);
        }

        private void Histogram(List<byte> o)
        {
            var fields = new List<Action<List<byte>>>();
            foreach (var n in new[] { 1, 4, 6, 14, 15 }) if (r.Next(2) == 0) fields.Add(x => Varint(x, n, (ulong)RandomLong()));
            foreach (var n in new[] { 2, 3, 5, 7 }) if (r.Next(2) == 0) fields.Add(x => Fixed64(x, n, RandomDouble()));
            foreach (var n in new[] { 8, 11 })
            {
                if (r.Next(2) == 0) fields.Add(x => Message(x, n, s => { Varint(s, 1, (ulong)r.Next()); Varint(s, 2, (ulong)r.Next()); AddUnknownNow(s, 3); }));
            }
            foreach (var n in new[] { 9, 12 })
            {
                if (r.Next(3) == 0) fields.Add(x => Varint(x, n, (ulong)RandomLong()));
                if (r.Next(3) == 0) fields.Add(x => Message(x, n, s => { for (var i = r.Next(0, 4); i > 0; i--) RawVarint(s, (ulong)RandomLong()); }));
            }
            foreach (var n in new[] { 10, 13 })
            {
                if (r.Next(3) == 0) fields.Add(x => Fixed64(x, n, RandomDouble()));
                if (r.Next(3) == 0)
                {
                    fields.Add(x => Message(x, n, s =>
                    {
                        for (var i = r.Next(0, 4); i > 0; i--) s.AddRange(BitConverter.GetBytes(RandomDouble()));
                        if (r.Next(6) == 0) s.Add(1); // a packed double that does not fill 8 bytes
                    }));
                }
            }
            AddUnknown(fields, 16, 1);
            Shuffle(fields);
            foreach (var f in fields) f(o);
        }

        private void Metadata(List<byte> o)
        {
            Varint(o, 1, (ulong)r.Next(8));
            Bytes(o, 2, Values[r.Next(r.Next(4) == 0 ? Values.Length : 8)]);
            Bytes(o, 4, Values[r.Next(r.Next(4) == 0 ? Values.Length : 8)]);
            AddUnknownNow(o, 6);
        }

        private void AddUnknown(List<Action<List<byte>>> fields, int firstFree, int max)
        {
            var n = r.Next(4) == 0 ? r.Next(1, max + 1) : 0;
            for (var i = 0; i < n; i++) fields.Add(o => AddUnknownNow(o, firstFree));
        }

        /// <summary>
        /// One field the message does not know: a free field number, or (sometimes) a known number with another
        /// wire type.
        /// </summary>
        private void AddUnknownNow(List<byte> o, int firstFree, int depth = 0)
        {
            var number = r.Next(4) == 0 ? r.Next(1, firstFree + 1) : r.Next(firstFree, firstFree + 40);
            if (r.Next(50) == 0) number = r.Next(1, 1 << 29);
            switch (r.Next(depth < 3 ? 5 : 4))
            {
                case 0: Varint(o, number, (ulong)RandomLong()); break;
                case 1: Fixed64(o, number, RandomDouble()); break;
                case 2: Tag(o, number, 5); o.AddRange(BitConverter.GetBytes(r.Next())); break;
                case 3: Bytes(o, number, Values[r.Next(Values.Length)]); break;
                default:
                    Tag(o, number, 3);
                    for (var i = r.Next(0, 3); i > 0; i--) AddUnknownNow(o, 1, depth + 1);
                    Tag(o, number, 4);
                    break;
            }
        }

        private double RandomDouble() => r.Next(6) switch
        {
            0 => double.NaN,
            1 => -0.0,
            2 => BitConverter.Int64BitsToDouble(r.NextInt64()),
            _ => r.NextDouble() * 1000,
        };

        private long RandomLong() => r.Next(5) switch
        {
            0 => 0,
            1 => -r.NextInt64(),
            2 => long.MaxValue,
            _ => r.NextInt64(0, 1L << 42),
        };

        private void Message(List<byte> o, int number, Action<List<byte>> body)
        {
            var inner = new List<byte>();
            body(inner);
            Tag(o, number, 2);
            RawVarint(o, (ulong)inner.Count);
            o.AddRange(inner);
        }

        private void Bytes(List<byte> o, int number, byte[] value)
        {
            Tag(o, number, 2);
            RawVarint(o, (ulong)value.Length);
            o.AddRange(value);
        }

        private void Varint(List<byte> o, int number, ulong value)
        {
            Tag(o, number, 0);
            RawVarint(o, value);
        }

        private void Fixed64(List<byte> o, int number, double value)
        {
            Tag(o, number, 1);
            o.AddRange(BitConverter.GetBytes(value));
        }

        private void Tag(List<byte> o, int number, int wireType) => RawVarint(o, (ulong)((uint)number << 3 | (uint)wireType));

        /// <summary>A varint, sometimes padded to a longer (valid, up to 10 bytes) encoding.</summary>
        private void RawVarint(List<byte> o, ulong value)
        {
            var start = o.Count;
            AddVarint(o, value);
            if (r.Next(30) != 0) return;
            var pad = r.Next(1, 11 - (o.Count - start) + 1);
            if (o.Count - start + pad > 10) return;
            o[^1] |= 0x80;
            for (var i = 1; i < pad; i++) o.Add(0x80);
            o.Add(0x00);
        }

        private void Shuffle<T>(List<T> list)
        {
            for (var i = list.Count - 1; i > 0; i--)
            {
                var j = r.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
        }
    }
}
