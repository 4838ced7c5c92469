using System.Buffers;

namespace OrleansExemplars.Prometheus.Json;

/// <summary>One series of one grain's answer in the merged order.</summary>
/// <param name="JoinsPrevious">The same series as the previous reference (it was found in several grains).</param>
public readonly record struct SeriesRef(int Batch, int Series, bool JoinsPrevious);

/// <summary>
/// Merges the answers of several metric grains (<see cref="SeriesJsonBatch"/>es, each sorted by labels) into Prometheus'
/// answer, with the semantics of the tests' <c>ShardedResultMerger</c>: series sorted by labels; a series found in
/// several grains (only across a change of shard count) gets its parts' exemplars interleaved by timestamp, ties in grain
/// order, and an exemplar found in more than one part kept once. A series held by one grain — nearly all — is copied
/// as bytes.
/// </summary>
public static class SeriesJsonMerger
{
    /// <summary>
    /// The merged order: a k-way merge of the sorted answers. Taking from the same answer while it stays the smallest
    /// costs about one key comparison per series, and answers of different metrics rarely interleave.
    /// </summary>
    /// <param name="batches">One answer per grain, in a fixed grain order (ties between grains keep that order).</param>
    public static List<SeriesRef> Order(IReadOnlyList<SeriesJsonBatch> batches)
    {
        var total = 0;
        foreach (var b in batches) total += b.Count;
        var order = new List<SeriesRef>(total);
        var cursor = new int[batches.Count];
        var heap = new int[batches.Count];
        var size = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            if (batches[b].Count > 0) heap[size++] = b;
        }
        for (var i = size / 2 - 1; i >= 0; i--) SiftDown(heap, size, i, batches, cursor);

        var previous = -1;
        while (size > 0)
        {
            var b = heap[0];
            var s = cursor[b];
            // One grain never holds a series twice, so only a reference from another grain can join the previous
            // one (a one-grain answer is never compared and needs no keys).
            var joins = previous >= 0 && order[previous].Batch != b &&
                        LabelKeyComparer.Compare(batches[b].Key(s), batches[order[previous].Batch].Key(order[previous].Series)) == 0;
            order.Add(new SeriesRef(b, s, joins));
            previous = order.Count - 1;
            if (++cursor[b] == batches[b].Count) heap[0] = heap[--size];
            if (size > 0) SiftDown(heap, size, 0, batches, cursor);
        }
        return order;
    }

    /// <summary>Writes the series that starts at <c>order[start]</c> (with the references that join it); returns the next start.</summary>
    public static int WriteSeries(IReadOnlyList<SeriesJsonBatch> batches, List<SeriesRef> order, int start, IBufferWriter<byte> output)
    {
        var end = start + 1;
        while (end < order.Count && order[end].JoinsPrevious) end++;
        if (end == start + 1)
        {
            var r = order[start];
            output.Write(batches[r.Batch].SeriesJson(r.Series));
        }
        else
        {
            WriteCombined(batches, order, start, end, output);
        }
        return end;
    }

    /// <summary>
    /// Like <see cref="WriteSeries(IReadOnlyList{SeriesJsonBatch}, List{SeriesRef}, int, IBufferWriter{byte})"/>, with only
    /// the exemplars <paramref name="keep"/> accepts (batch, exemplar entry); a series left with none is not written.
    /// Needs every batch's exemplar index (<see cref="SeriesJsonOptions.ExemplarIndex"/>).
    /// </summary>
    /// <param name="written">Whether the series was written (a separator is then due before the next one).</param>
    public static int WriteSeries(IReadOnlyList<SeriesJsonBatch> batches, List<SeriesRef> order, int start, IBufferWriter<byte> output,
        Func<int, int, bool> keep, bool separator, out bool written)
    {
        var end = start + 1;
        while (end < order.Count && order[end].JoinsPrevious) end++;
        written = WriteCombined(batches, order, start, end, output, keep, separator);
        return end;
    }

    private static void WriteCombined(IReadOnlyList<SeriesJsonBatch> batches, List<SeriesRef> order, int start, int end,
        IBufferWriter<byte> output) => WriteCombined(batches, order, start, end, output, keep: null, separator: false);

    private static bool WriteCombined(IReadOnlyList<SeriesJsonBatch> batches, List<SeriesRef> order, int start, int end,
        IBufferWriter<byte> output, Func<int, int, bool>? keep, bool separator)
    {
        for (var k = start; k < end; k++)
        {
            if (batches[order[k].Batch].Exemplars.Length == 0 && batches[order[k].Batch].Count > 0)
            {
                throw new InvalidOperationException("A series held by several grains came without its exemplar index.");
            }
        }
        // (batch, exemplar entry, fragment offset in the batch's JSON), parts in grain order.
        var entries = new List<(int Batch, int Exemplar, int Offset)>();
        for (var k = start; k < end; k++)
        {
            var (b, s, _) = order[k];
            var batch = batches[b];
            var offset = batch.SeriesJsonStart(s) + batch.HeadLength(s);
            var (first, last) = batch.ExemplarRange(s);
            for (var e = first; e < last; e++)
            {
                if (keep is null || keep(b, e)) entries.Add((b, e, offset));
                offset += batch.ExemplarFragmentLength(e) + 1;
            }
        }
        // Stable by timestamp: equal timestamps keep the grain order, so the answer does not depend on reply order.
        var sorted = entries.Select((x, i) => (x, i))
            .OrderBy(p => batches[p.x.Batch].ExemplarTimestamp(p.x.Exemplar)).ThenBy(p => p.i).Select(p => p.x).ToList();
        var kept = new List<(int Batch, int Exemplar, int Offset)>(sorted.Count);
        foreach (var e in sorted)
        {
            var ts = batches[e.Batch].ExemplarTimestamp(e.Exemplar);
            var twin = false;
            for (var i = kept.Count - 1; i >= 0 && batches[kept[i].Batch].ExemplarTimestamp(kept[i].Exemplar) == ts && !twin; i--)
            {
                twin = IsSame(batches, kept[i], e);
            }
            if (!twin) kept.Add(e);
        }

        if (kept.Count == 0 && keep is not null) return false;
        if (separator) output.Write(","u8);
        var head = order[start];
        var headBatch = batches[head.Batch];
        output.Write(headBatch.SeriesJson(head.Series)[..headBatch.HeadLength(head.Series)]);
        for (var i = 0; i < kept.Count; i++)
        {
            if (i > 0) output.Write(","u8);
            output.Write(Fragment(batches, kept[i]));
        }
        output.Write("]}"u8);
        return true;
    }

    /// <summary>
    /// Bit-for-bit the same exemplar: same flag, value bits and timestamp, and the same labels — the JSON fragments are
    /// then equal exactly when the labels are, since both hold the same value and timestamp text.
    /// </summary>
    private static bool IsSame(IReadOnlyList<SeriesJsonBatch> batches, (int Batch, int Exemplar, int Offset) a,
        (int Batch, int Exemplar, int Offset) b)
    {
        var x = batches[a.Batch];
        var y = batches[b.Batch];
        return x.ExemplarHasTimestamp(a.Exemplar) == y.ExemplarHasTimestamp(b.Exemplar) &&
               x.ExemplarValueBits(a.Exemplar) == y.ExemplarValueBits(b.Exemplar) &&
               Fragment(batches, a).SequenceEqual(Fragment(batches, b));
    }

    private static ReadOnlySpan<byte> Fragment(IReadOnlyList<SeriesJsonBatch> batches, (int Batch, int Exemplar, int Offset) e) =>
        batches[e.Batch].Json.AsSpan(e.Offset, batches[e.Batch].ExemplarFragmentLength(e.Exemplar));

    private static void SiftDown(int[] heap, int size, int i, IReadOnlyList<SeriesJsonBatch> batches, int[] cursor)
    {
        while (true)
        {
            var smallest = i;
            var l = 2 * i + 1;
            if (l < size && Less(heap[l], heap[smallest], batches, cursor)) smallest = l;
            if (l + 1 < size && Less(heap[l + 1], heap[smallest], batches, cursor)) smallest = l + 1;
            if (smallest == i) return;
            (heap[i], heap[smallest]) = (heap[smallest], heap[i]);
            i = smallest;
        }
    }

    private static bool Less(int a, int b, IReadOnlyList<SeriesJsonBatch> batches, int[] cursor)
    {
        var c = LabelKeyComparer.Compare(batches[a].Key(cursor[a]), batches[b].Key(cursor[b]));
        return c < 0 || (c == 0 && a < b);
    }
}
