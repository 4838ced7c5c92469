namespace OrleansExemplars.GrainInterfaces.Sharding;

/// <summary>
/// Which grains of a metric may hold exemplars, as the catalog recorded them: the plain grain <c>name</c> (see
/// <see cref="MetricShardRouter.PlainKey"/> for names holding '#') if it ever
/// stored one, and <c>name#0</c> … <c>name#(ShardSpan-1)</c>. When K grows, exemplars already stored stay where they
/// are, so a query asks every grain that ever held data, not only those of the current K.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MetricLayout(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Unsharded,
    [property: Id(2)] int ShardSpan,
    [property: Id(3)] int AutoShards)
{
    /// <summary>The grain keys to ask for this metric's exemplars.</summary>
    public IEnumerable<string> GrainKeys()
    {
        if (Unsharded) yield return MetricShardRouter.PlainKey(Name);
        for (var k = 0; k < ShardSpan; k++) yield return MetricShardRouter.ShardKey(Name, k);
    }
}
