using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Exemplars;

/// <summary>
/// Writes <see cref="ExemplarRingSnapshot"/>'s version 2 format straight from the ring's entries into one byte array:
/// series by slot index instead of hashed label sets, compact entries without a rebuilt <see cref="LabelSet"/>, UTF-8
/// encoded in place, into a pooled buffer, so the only allocation is the result (large-object-heap allocations are what
/// make a silo with gigabytes of rings run full collections). After the header, the bytes are those a <c>BinaryWriter</c> over <see cref="ExemplarRing.EntriesOldestFirst"/>
/// writes (7-bit encoded lengths and indexes, length-prefixed UTF-8 strings, little-endian doubles), as in version 1;
/// the header's checksum is filled in last.
/// </summary>
internal sealed class ExemplarRingSnapshotWriter
{
    private byte[] _buffer;
    private int _position;

    private ExemplarRingSnapshotWriter(int sizeHint) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, sizeHint));

    public static byte[] Write(ExemplarRing ring)
    {
        // Pass 1: series and label names numbered in order of first appearance, oldest entry first.
        var index = new IndexVisitor(ring);
        ring.VisitOldestFirst(ref index);

        var writer = new ExemplarRingSnapshotWriter(256 + ring.Count * 64);
        try
        {
            writer.WriteUInt32(ExemplarRingSnapshot.Magic);
            writer.WriteByte(ExemplarRingSnapshot.Version2);
            writer.WriteUInt32(0); // the checksum, once the body is written
            writer.Write7BitInt(ring.Capacity);
            writer.Write7BitInt(index.Names.Count);
            foreach (var name in index.Names.Keys) writer.WriteString(name);
            writer.Write7BitInt(index.SeriesOrder.Count);
            foreach (var slot in index.SeriesOrder) writer.WriteLabels(ring.SeriesLabelsAt(slot), index.Names);
            writer.Write7BitInt(ring.Count);

            // Pass 2: the entries.
            var entries = new EntryVisitor(writer, index);
            ring.VisitOldestFirst(ref entries);
            var snapshot = writer._buffer.AsSpan(0, writer._position);
            const int body = ExemplarRingSnapshot.Version2BodyOffset;
            BinaryPrimitives.WriteUInt32LittleEndian(snapshot[(body - 4)..], Wal.WalFrame.Crc32C(snapshot[body..]));
            return snapshot.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(writer._buffer);
        }
    }

    private struct IndexVisitor(ExemplarRing ring) : ExemplarRing.IRawEntryVisitor, ExemplarRing.ILabelFormWriter
    {
        public readonly int[] SeriesIndex = NewIndex(ring.SeriesSlotBound);
        public readonly List<int> SeriesOrder = [];
        public readonly Dictionary<string, int> Names = new(StringComparer.Ordinal);
        public int CompactNameIndex = -1;
        public int PairFirstIndex = -1;
        public int PairSecondIndex = -1;

        private static int[] NewIndex(int slots)
        {
            var index = new int[slots];
            Array.Fill(index, -1);
            return index;
        }

        public void Visit(in ExemplarRing.RawEntry entry)
        {
            if (SeriesIndex[entry.SeriesSlot] < 0)
            {
                SeriesIndex[entry.SeriesSlot] = SeriesOrder.Count;
                SeriesOrder.Add(entry.SeriesSlot);
                foreach (var l in ring.SeriesLabelsAt(entry.SeriesSlot).AsSpan()) Names.TryAdd(l.Name, Names.Count);
            }
            entry.Labels.WriteTo(ref this);
        }

        public void Hex(HexLabelValue value) => NumberCompactName();

        public void String(string value) => NumberCompactName();

        public void HexPair(HexLabelValue first, HexLabelValue second)
        {
            if (PairFirstIndex >= 0) return;
            // Numbered as the label set's two names would be, in its order.
            var (firstName, secondName) = ring.PairNames!.Value;
            Names.TryAdd(firstName, Names.Count);
            Names.TryAdd(secondName, Names.Count);
            PairFirstIndex = Names[firstName];
            PairSecondIndex = Names[secondName];
        }

        public void Labels(LabelSet labels)
        {
            foreach (var l in labels.AsSpan()) Names.TryAdd(l.Name, Names.Count);
        }

        private void NumberCompactName()
        {
            if (CompactNameIndex >= 0) return;
            var name = ring.CompactName!;
            Names.TryAdd(name, Names.Count);
            CompactNameIndex = Names[name];
        }
    }

    private readonly struct EntryVisitor(ExemplarRingSnapshotWriter writer, IndexVisitor index)
        : ExemplarRing.IRawEntryVisitor, ExemplarRing.ILabelFormWriter
    {
        public void Visit(in ExemplarRing.RawEntry entry)
        {
            writer.Write7BitInt(index.SeriesIndex[entry.SeriesSlot]);
            writer.WriteDouble(entry.Value);
            writer.WriteByte(entry.HasTimestamp ? (byte)1 : (byte)0);
            writer.Write7BitLong(entry.TimestampMs);
            var labels = this;
            entry.Labels.WriteTo(ref labels);
        }

        public void Hex(HexLabelValue value)
        {
            writer.Write7BitInt(1);
            writer.Write7BitInt(index.CompactNameIndex);
            writer.WriteHex(value);
        }

        public void String(string value)
        {
            writer.Write7BitInt(1);
            writer.Write7BitInt(index.CompactNameIndex);
            writer.WriteString(value);
        }

        public void HexPair(HexLabelValue first, HexLabelValue second)
        {
            writer.Write7BitInt(2);
            writer.Write7BitInt(index.PairFirstIndex);
            writer.WriteHex(first);
            writer.Write7BitInt(index.PairSecondIndex);
            writer.WriteHex(second);
        }

        public void Labels(LabelSet labels) => writer.WriteLabels(labels, index.Names);
    }

    private void WriteLabels(LabelSet labels, Dictionary<string, int> names)
    {
        Write7BitInt(labels.Count);
        foreach (var l in labels.AsSpan())
        {
            Write7BitInt(names[l.Name]);
            WriteString(l.Value);
        }
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_buffer.Length - _position < bytes)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + bytes));
            _buffer.AsSpan(0, _position).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsSpan(_position);
    }

    private void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        _position++;
    }

    private void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
        _position += 4;
    }

    private void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
        _position += 8;
    }

    private void Write7BitInt(int value) => Write7BitLong((uint)value);

    /// <summary><c>BinaryWriter.Write7BitEncodedInt64</c>: negative values take ten bytes, as there.</summary>
    private void Write7BitLong(long value)
    {
        var span = Reserve(10);
        var v = (ulong)value;
        var n = 0;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[n++] = (byte)v;
        _position += n;
    }

    /// <summary><see cref="WriteString"/> of the packed value's string, without making the string.</summary>
    private void WriteHex(HexLabelValue hex)
    {
        Write7BitInt(hex.Digits); // ASCII: one byte per digit, and a single-byte length (< 128)
        hex.TryWriteUtf8(Reserve(hex.Digits), out var written);
        _position += written;
    }

    /// <summary><c>BinaryWriter.Write(string)</c> with UTF-8: the byte count 7-bit encoded, then the bytes.</summary>
    private void WriteString(string value)
    {
        var bytes = value.Length <= 127 && Ascii.IsValid(value) ? value.Length : Encoding.UTF8.GetByteCount(value);
        Write7BitInt(bytes);
        var span = Reserve(bytes);
        _position += Encoding.UTF8.GetBytes(value, span);
    }
}
