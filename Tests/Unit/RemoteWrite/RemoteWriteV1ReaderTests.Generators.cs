using System.Text;
using CsCheck;

namespace OrleansExemplars.Tests.RemoteWrite;

/// <summary>Random WriteRequests at the wire level (unknown fields, packing, corruption) for the oracle tests.</summary>
public sealed partial class RemoteWriteV1ReaderTests
{
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
            if (r.Next(2) == 0)
            {
                ValidHistogram(o);
                return;
            }
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
            if (r.Next(3) == 0) fields.Add(x => Fixed64(x, 16, RandomDouble()));
            AddUnknown(fields, 17, 1);
            Shuffle(fields);
            foreach (var f in fields) f(o);
        }

        /// <summary>
        /// A histogram Prometheus accepts (so that the readers' histograms reach the forward list and are compared there):
        /// integer with deltas or float with counts, exponential or custom buckets, fields in any order.
        /// </summary>
        private void ValidHistogram(List<byte> o)
        {
            var fields = new List<Action<List<byte>>>();
            var isFloat = r.Next(2) == 0;
            var custom = r.Next(4) == 0;
            var buckets = r.Next(0, 4);
            var counts = Enumerable.Range(0, buckets).Select(_ => (long)r.Next(0, 5)).ToArray();
            var zero = custom ? 0 : r.Next(0, 3);
            var total = counts.Sum() + zero;
            if (isFloat) fields.Add(x => Fixed64(x, 2, total));
            else fields.Add(x => Varint(x, 1, (ulong)total));
            if (r.Next(2) == 0) fields.Add(x => Fixed64(x, 3, r.Next(0, 100) / 4.0));
            var schema = custom ? -53 : r.Next(-4, 9);
            fields.Add(x => Varint(x, 4, (ulong)((schema << 1) ^ (schema >> 31))));
            if (!custom && r.Next(2) == 0) fields.Add(x => Fixed64(x, 5, 1e-128));
            if (zero > 0 || r.Next(2) == 0)
            {
                if (isFloat) fields.Add(x => Fixed64(x, 7, zero));
                else fields.Add(x => Varint(x, 6, (ulong)zero));
            }
            if (buckets > 0)
            {
                var offset = custom ? r.Next(0, 2) : r.Next(-3, 3);
                fields.Add(x => Message(x, 11, s => { Varint(s, 1, (ulong)((offset << 1) ^ (offset >> 31))); Varint(s, 2, (ulong)buckets); }));
                if (isFloat)
                {
                    fields.Add(x => Message(x, 13, s => { foreach (var c in counts) s.AddRange(BitConverter.GetBytes((double)c)); }));
                }
                else
                {
                    fields.Add(x => Message(x, 12, s =>
                    {
                        long previous = 0;
                        foreach (var c in counts)
                        {
                            var delta = c - previous;
                            RawVarint(s, (ulong)((delta << 1) ^ (delta >> 63)));
                            previous = c;
                        }
                    }));
                }
                if (custom) fields.Add(x => Message(x, 16, s => { for (var i = 0; i < buckets + 2; i++) s.AddRange(BitConverter.GetBytes(0.5 * (i + 1))); }));
            }
            if (r.Next(2) == 0) fields.Add(x => Varint(x, 14, (ulong)r.Next(0, 4)));
            fields.Add(x => Varint(x, 15, (ulong)RandomLong()));
            AddUnknown(fields, 17, 1);
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
