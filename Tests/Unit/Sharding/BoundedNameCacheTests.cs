using OrleansExemplars.GrainInterfaces.Sharding;
using Xunit;

namespace OrleansExemplars.Tests.Sharding;

public sealed class BoundedNameCacheTests
{
    [Fact]
    public void A_value_is_computed_once_per_name_while_it_is_held()
    {
        var cache = new BoundedNameCache<int>(capacity: 10);
        var computed = 0;
        int Length(string name, int _) { computed++; return name.Length; }
        Assert.Equal(3, cache.GetOrAdd("abc", Length, 0));
        Assert.Equal(3, cache.GetOrAdd("abc", Length, 0));
        Assert.Equal(1, computed);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void It_never_holds_more_than_its_capacity_and_starts_over_when_full()
    {
        var cache = new BoundedNameCache<int>(capacity: 100);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(i, cache.GetOrAdd($"name{i}", static (_, v) => v, i));
            Assert.InRange(cache.Count, 1, 100);
        }
        Assert.Equal(100, cache.Count); // the 1 000th name filled the tenth round
    }

    [Fact]
    public void Concurrent_writers_keep_the_bound()
    {
        var cache = new BoundedNameCache<int>(capacity: 64);
        Parallel.For(0, 20_000, i => cache.GetOrAdd($"n{i}", static (_, v) => v, i));
        Assert.InRange(cache.Count, 1, 64);
    }
}
