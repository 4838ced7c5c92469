using System.Text;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Prometheus.Wire;

namespace OrleansExemplars.GrainInterfaces;

/// <summary>
/// One shard of the forwarding pool (key = shard number): series hash to a shard, so one grain sends all of a series'
/// samples, in order, to every remote-write endpoint.
/// </summary>
public interface IRemoteWriteForwarderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues <paramref name="batch"/> for every endpoint unless a batch of the same <see cref="ForwardBatch.Id"/> is
    /// queued or was sent already, and waits at most <paramref name="wait"/> (capped by the grain) for it:
    /// <see cref="ForwardStatus.Forwarded"/> once every endpoint accepted (or refused for good) each of its series,
    /// <see cref="ForwardStatus.Pending"/> if that takes longer (it stays queued: calling again with the same id waits for
    /// it again instead of sending it twice), <see cref="ForwardStatus.QueueFull"/> if it was not queued because the
    /// silo's forward queues hold <c>RemoteWrite:MaxQueuedBytes</c>.
    /// </summary>
    Task<ForwardStatus> ForwardAsync(ForwardBatch batch, TimeSpan wait);
}

/// <summary>What became of a batch handed to <see cref="IRemoteWriteForwarderGrain.ForwardAsync"/>.</summary>
[GenerateSerializer]
public enum ForwardStatus
{
    Forwarded,
    Pending,
    QueueFull,
}

/// <summary>
/// Series for one forwarder shard, from one poll or one HTTP request. <see cref="Id"/> names the content (a Kafka poll's
/// offsets, a hash of the HTTP request), so that the same content handed over again is recognised.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ForwardBatch([property: Id(0)] string Id, [property: Id(1)] ForwardSeries[] Series);

public static class ForwardSharding
{
    /// <summary>Stable across processes (FNV-1a over the labels), so every silo sends a series from the same shard.</summary>
    public static int ShardOf(LabelSet labels, int shards)
    {
        var hash = Fnv1a.OffsetBasis;
        foreach (var label in labels.AsSpan())
        {
            hash = Mix(hash, label.Name);
            hash = Fnv1a.Append(hash, 0xff);
            hash = Mix(hash, label.Value);
            hash = Fnv1a.Append(hash, 0xfe);
        }
        return (int)(hash % (uint)shards);
    }

    /// <summary>
    /// <see cref="ShardOf(LabelSet, int)"/> of the series' labels, read straight from
    /// <see cref="ForwardSeries.WireLabels"/> when it has them (the same bytes, so the same shard).
    /// </summary>
    public static int ShardOf(ForwardSeries series, int shards)
    {
        if (series.WireLabels is not { } wire) return ShardOf(series.Labels, shards);
        var hash = Fnv1a.OffsetBasis;
        for (var reader = new LabelWireFormat.Reader(wire); reader.Next(out var name, out var value);)
        {
            hash = Fnv1a.Append(hash, name);
            hash = Fnv1a.Append(hash, 0xff);
            hash = Fnv1a.Append(hash, value);
            hash = Fnv1a.Append(hash, 0xfe);
        }
        return (int)(hash % (uint)shards);
    }

    public static IRemoteWriteForwarderGrain Forwarder(this IGrainFactory grains, int shard) =>
        grains.GetGrain<IRemoteWriteForwarderGrain>(shard.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Groups series by shard, keeping their order within each shard.</summary>
    public static Dictionary<int, List<ForwardSeries>> GroupByShard(IEnumerable<ForwardSeries> series, int shards)
    {
        var byShard = new Dictionary<int, List<ForwardSeries>>();
        foreach (var s in series)
        {
            var shard = ShardOf(s, shards);
            if (!byShard.TryGetValue(shard, out var list)) byShard[shard] = list = [];
            list.Add(s);
        }
        return byShard;
    }

    private static uint Mix(uint hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = text.Length * 3 <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        return Fnv1a.Append(hash, bytes);
    }
}
