using OrleansExemplars.Grains.Wal;
using Xunit;

namespace OrleansExemplars.Tests.Wal;

/// <summary>The table that decides how much of a silo's WAL may be deleted: per grain activation, not per grain.</summary>
public sealed class WalCheckpointsTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Truncation_never_passes_an_unpersisted_record()
    {
        var table = new WalCheckpoints();
        var a = table.Owner("a", Guid.NewGuid());
        var b = table.Owner("b", Guid.NewGuid());
        Assert.Equal(500, table.SafeTruncationPoint(() => 500));
        table.Logging(a, 100, T0);
        table.Logging(b, 300, T0);
        table.Logging(a, 400, T0); // a is still dirty from 100
        Assert.Equal(100, table.SafeTruncationPoint(() => 500));
        Assert.Equal([a, b], table.OwnersBefore(350));
        table.Persisted(a);
        Assert.Equal(300, table.SafeTruncationPoint(() => 500));
        table.Persisted(b);
        Assert.Equal(0, table.DirtyOwners);
    }

    [Fact]
    public void A_later_activation_persisting_does_not_release_what_an_earlier_one_left_unpersisted()
    {
        var table = new WalCheckpoints();
        var first = table.Owner("m", Guid.NewGuid());
        table.Logging(first, 100, T0);
        Assert.True(table.Ended(first, 250)); // deactivated, its ring write failed

        var second = table.Owner("m", Guid.NewGuid()); // loaded from the older snapshot
        table.Logging(second, 300, T0);
        table.Persisted(second);

        Assert.Equal(100, table.SafeTruncationPoint(() => 500));
        var orphaned = Assert.Single(table.Orphaned());
        Assert.Equal(new WalOrphanedRange(first, 100, 250), orphaned);
        Assert.Empty(table.OwnersBefore(1000)); // an ended owner is not asked to persist: it is replayed

        table.Rehomed(orphaned);
        Assert.Equal(500, table.SafeTruncationPoint(() => 500));
        Assert.Empty(table.Orphaned());
    }

    [Fact]
    public void An_owner_taken_for_gone_that_logs_again_keeps_pinning_its_records()
    {
        var table = new WalCheckpoints();
        var duplicate = table.Owner("m", Guid.NewGuid());
        table.Logging(duplicate, 100, T0);
        table.Ended(duplicate, 200); // its grain answered from another activation
        var range = Assert.Single(table.Orphaned());
        table.Logging(duplicate, 300, T0); // ... but it is still there and logging
        table.Rehomed(range); // the replay of [100, 200) finished meanwhile
        Assert.Equal(100, table.SafeTruncationPoint(() => 500));
        Assert.Equal([duplicate], table.OwnersBefore(1000));
    }

    [Fact]
    public void Ending_after_persisting_leaves_nothing_and_owners_unpersisted_for_long_are_found()
    {
        var table = new WalCheckpoints();
        var persisted = table.Owner("m", Guid.NewGuid());
        table.Logging(persisted, 10, T0);
        table.Persisted(persisted);
        Assert.False(table.Ended(persisted, 20));
        Assert.Empty(table.Orphaned());

        var old = table.Owner("old", Guid.NewGuid());
        var recent = table.Owner("recent", Guid.NewGuid());
        table.Logging(old, 30, T0);
        table.Logging(recent, 40, T0.AddMinutes(5));
        Assert.Equal([old], table.LiveSince(T0.AddMinutes(1)));
        table.Ended(old, 50);
        Assert.Empty(table.LiveSince(T0.AddMinutes(1)));
    }
}
