using System.Buffers.Binary;

namespace OrleansExemplars.Prometheus.Json;

/// <summary>
/// A metric grain's answer to a query, already in the form the HTTP answer needs: each series as the UTF-8 JSON object
/// <c>{"seriesLabels":{…},"exemplars":[…]}</c> Prometheus writes, series sorted by labels. The API host copies these
/// bytes into the response, so neither side builds or serialises label-set objects per exemplar (profiled: that object
/// graph was most of the cost of a large query, see docs/benchmarks/history.md).
/// </summary>
/// <remarks>
/// Besides the JSON, the batch carries what merging needs when one series comes from two grains (a shard count that
/// changed): each series' labels as a sort key (<see cref="Key"/>, compared by <see cref="LabelKeyComparer"/> exactly
/// as <c>LabelSet.CompareTo</c> compares) and per exemplar its timestamp, value bits, has-timestamp flag and where its
/// JSON fragment is. Everything is in flat byte arrays: Orleans copies them as blocks instead of walking objects.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed class SeriesJsonBatch
{
    /// <summary>Bytes per series in <see cref="Index"/>: JSON end, key end, head length, exemplar end (int32 LE each).</summary>
    public const int IndexEntrySize = 16;

    /// <summary>Bytes per exemplar in <see cref="Exemplars"/>: timestamp ms, value bits (int64 LE), flags, fragment length (int32 LE).</summary>
    public const int ExemplarEntrySize = 21;

    public static readonly SeriesJsonBatch Empty = new(0, [], [], [], []);

    public SeriesJsonBatch(int count, byte[] json, byte[] keys, byte[] index, byte[] exemplars)
    {
        Count = count;
        Json = json;
        Keys = keys;
        Index = index;
        Exemplars = exemplars;
    }

    /// <summary>Series in the batch.</summary>
    [Id(0)] public int Count { get; }

    /// <summary>The series' JSON objects back to back, no separators.</summary>
    [Id(1)] public byte[] Json { get; }

    /// <summary>The series' label sets in <see cref="Model.LabelWireFormat"/> (UTF-8), back to back; empty unless asked for
    /// (<see cref="SeriesJsonOptions.Keys"/>).</summary>
    [Id(2)] public byte[] Keys { get; }

    /// <summary><see cref="IndexEntrySize"/> bytes per series.</summary>
    [Id(3)] public byte[] Index { get; }

    /// <summary><see cref="ExemplarEntrySize"/> bytes per exemplar, series after series; empty unless asked for
    /// (<see cref="SeriesJsonOptions.ExemplarIndex"/>).</summary>
    [Id(4)] public byte[] Exemplars { get; }

    /// <summary>The JSON object of series <paramref name="i"/>.</summary>
    public ReadOnlySpan<byte> SeriesJson(int i)
    {
        var start = SeriesJsonStart(i);
        return Json.AsSpan(start, IndexField(i, 0) - start);
    }

    /// <summary>Offset of series <paramref name="i"/>'s JSON object in <see cref="Json"/>.</summary>
    public int SeriesJsonStart(int i) => i == 0 ? 0 : IndexField(i - 1, 0);

    /// <summary>The sort key (labels in wire form) of series <paramref name="i"/>.</summary>
    public ReadOnlySpan<byte> Key(int i)
    {
        var start = i == 0 ? 0 : IndexField(i - 1, 1);
        return Keys.AsSpan(start, IndexField(i, 1) - start);
    }

    /// <summary>Length of <c>{"seriesLabels":{…},"exemplars":[</c> at the start of the series' JSON.</summary>
    public int HeadLength(int i) => IndexField(i, 2);

    /// <summary>Index of the series' first exemplar entry, and one past its last.</summary>
    public (int First, int End) ExemplarRange(int i) => (i == 0 ? 0 : IndexField(i - 1, 3), IndexField(i, 3));

    public long ExemplarTimestamp(int e) => BinaryPrimitives.ReadInt64LittleEndian(Exemplars.AsSpan(e * ExemplarEntrySize));

    public long ExemplarValueBits(int e) => BinaryPrimitives.ReadInt64LittleEndian(Exemplars.AsSpan(e * ExemplarEntrySize + 8));

    public bool ExemplarHasTimestamp(int e) => (Exemplars[e * ExemplarEntrySize + 16] & 1) != 0;

    /// <summary>Length of the exemplar's JSON object; fragments follow the head, separated by one comma.</summary>
    public int ExemplarFragmentLength(int e) => BinaryPrimitives.ReadInt32LittleEndian(Exemplars.AsSpan(e * ExemplarEntrySize + 17));

    private int IndexField(int series, int field) =>
        BinaryPrimitives.ReadInt32LittleEndian(Index.AsSpan(series * IndexEntrySize + field * 4));
}
