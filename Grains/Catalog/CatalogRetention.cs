namespace OrleansExemplars.Grains.Catalog;

/// <summary>
/// The timing of <c>Exemplars:Retention</c>, shared by the metric grains (how often they tell the catalog they are
/// active) and the catalog (how often it sweeps, and when a grain key counts as idle).
/// </summary>
/// <remarks>
/// A metric grain reports activity on registration and then with the first stored exemplar after each
/// <see cref="ReportInterval"/>; the exemplars in between are not reported, so the catalog's last-seen time of a grain
/// can be up to one interval behind its last exemplar. The catalog therefore forgets a key last seen more than
/// Retention + <see cref="ReportInterval"/> ago, checked every <see cref="SweepInterval"/>: a metric goes between
/// Retention and Retention + ReportInterval + SweepInterval after its last exemplar (at most 1.2 × Retention up to
/// 50 minutes, then Retention + 5 minutes + Retention / 10, sweeps at most hourly).
/// </remarks>
public static class CatalogRetention
{
    /// <summary>Largest <c>Exemplars:Retention</c>: ten years.</summary>
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    /// <summary>
    /// How often a metric grain that keeps storing exemplars re-registers with its catalog shard when there is no
    /// retention: it heals a shard whose state was lost (e.g. memory storage on a silo that left).
    /// </summary>
    public static readonly TimeSpan RegistrationRefresh = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MinSweep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxSweep = TimeSpan.FromHours(1);

    /// <summary>Least time between two activity reports of one metric grain: Retention / 10, at most 5 minutes.</summary>
    public static TimeSpan ReportInterval(TimeSpan retention) =>
        retention <= TimeSpan.Zero || retention / 10 > RegistrationRefresh ? RegistrationRefresh : retention / 10;

    /// <summary>How often a catalog shard looks for idle grain keys: Retention / 10, between 1 second and 1 hour.</summary>
    public static TimeSpan SweepInterval(TimeSpan retention) =>
        TimeSpan.FromTicks(Math.Clamp(retention.Ticks / 10, MinSweep.Ticks, MaxSweep.Ticks));

    /// <summary>A key last seen before this (catalog clock) is idle for longer than the retention.</summary>
    public static DateTime IdleBefore(DateTime now, TimeSpan retention) => now - retention - ReportInterval(retention);

    /// <summary>
    /// How long a forgotten key's tombstone is kept: WAL records of it that a crashed silo's log still holds are
    /// dropped when replayed within that time (one retention, at least an hour).
    /// </summary>
    public static TimeSpan TombstoneHold(TimeSpan retention) => retention > TimeSpan.FromHours(1) ? retention : TimeSpan.FromHours(1);
}
