using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.GrainInterfaces.Sharding;

/// <summary>
/// A router's view of the shard counts: the configured patterns plus the automatic counts the catalog holds, re-read
/// at most every <see cref="ShardingOptions.RefreshInterval"/>. The catalog is the one place the automatic count is
/// decided, so all routers converge on it; a router that has not refreshed yet sends to the grains of the old count,
/// which queries still ask, so the lag costs relief, never answers.
/// </summary>
public sealed class MetricShardDirectory(IGrainFactory grains, IOptions<ShardingOptions> options,
    ILogger<MetricShardDirectory> logger)
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private MetricShardRouter _router = new(options.Value);
    private long _refreshedAt = long.MinValue;

    /// <summary>Shard count a <c>Sharding:Metrics</c> pattern gives the metric, 0 when none matches.</summary>
    public int ConfiguredShardsOf(string metric) => _router.ConfiguredShardsOf(metric);

    /// <summary>The router to use now; refreshes the automatic counts first when they are older than the interval.</summary>
    public async ValueTask<MetricShardRouter> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        // Without the threshold nothing is decided automatically: no catalog reads on the ingest path.
        if (settings.AutoSeriesThreshold == 0 || !IsStale(settings)) return _router;
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (!IsStale(settings)) return _router;
            try
            {
                var automatic = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var layout in await grains.GetAllLayoutsAsync())
                {
                    if (layout.AutoShards > 1) automatic[layout.Name] = layout.AutoShards;
                }
                _router = _router.WithAutomatic(automatic);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep routing with the counts we have; the grains they name are still queried.
                logger.LogWarning(e, "Could not read automatic shard counts from the metric catalog; retrying in {Interval}",
                    settings.RefreshInterval);
            }
            _refreshedAt = Environment.TickCount64;
            return _router;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool IsStale(ShardingOptions settings) =>
        _refreshedAt == long.MinValue || Environment.TickCount64 - _refreshedAt >= (long)settings.RefreshInterval.TotalMilliseconds;
}
