using System.Globalization;
using System.Text.RegularExpressions;
using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.GrainInterfaces.Sharding;

/// <summary>
/// The routing rule of hot-metric sharding, with no Orleans runtime behind it: a metric spread over K grains keeps
/// series s in grain <c>name#(hash(s) mod K)</c>, so one grain sees all of a series' exemplars in order; K = 1 is the
/// plain grain <c>name</c>. K comes from the first matching <c>Sharding:Metrics</c> pattern, else from the shard count
/// the catalog chose automatically (<see cref="WithAutomatic"/>), else 1. Every ingest path routes through this class,
/// so HTTP and Kafka agree on where a series lives.
/// </summary>
public sealed class MetricShardRouter
{
    /// <summary>Separates the metric name from the shard number in a grain key.</summary>
    public const char KeySeparator = '#';

    /// <summary>
    /// Metric names whose pattern verdict <see cref="ConfiguredShardsOf"/> keeps, shared by every router made from
    /// one by <see cref="WithAutomatic"/>.
    /// </summary>
    public const int MaxCachedNames = 10_000;

    private readonly (Regex Pattern, int Shards)[] _patterns;

    /// <summary>Configured shard count per metric name (0 = no pattern matched); regexes run once per name.</summary>
    private readonly BoundedNameCache<int> _configured;

    private readonly IReadOnlyDictionary<string, int> _automatic;

    public MetricShardRouter(ShardingOptions options)
        : this(options.Metrics.Select(m => (ShardPattern.Compile(m.Match), m.Shards)).ToArray(),
            new BoundedNameCache<int>(MaxCachedNames), new Dictionary<string, int>(StringComparer.Ordinal))
    {
    }

    private MetricShardRouter((Regex, int)[] patterns, BoundedNameCache<int> configured,
        IReadOnlyDictionary<string, int> automatic)
    {
        _patterns = patterns;
        _configured = configured;
        _automatic = automatic;
    }

    /// <summary>The same patterns with a new snapshot of automatically chosen shard counts (name → K).</summary>
    public MetricShardRouter WithAutomatic(IReadOnlyDictionary<string, int> automatic) => new(_patterns, _configured, automatic);

    /// <summary>Shard count a pattern gives <paramref name="metric"/>, or 0 when none matches.</summary>
    public int ConfiguredShardsOf(string metric) => _patterns.Length == 0 ? 0 : _configured.GetOrAdd(metric, static (name, patterns) =>
    {
        foreach (var (pattern, shards) in patterns)
        {
            if (pattern.IsMatch(name)) return shards;
        }
        return 0;
    }, _patterns);

    /// <summary>Metric names whose pattern verdict is cached now (at most <see cref="MaxCachedNames"/>).</summary>
    public int CachedNames => _configured.Count;

    /// <summary>How many grains <paramref name="metric"/>'s new exemplars are spread over now.</summary>
    public int ShardsOf(string metric)
    {
        var configured = ConfiguredShardsOf(metric);
        if (configured > 0) return configured;
        return _automatic.TryGetValue(metric, out var automatic) && automatic > 1 ? automatic : 1;
    }

    /// <summary>The grain that holds <paramref name="series"/> of <paramref name="metric"/> at this shard count.</summary>
    public string GrainKeyOf(string metric, LabelSet series) => GrainKeyOf(metric, series, ShardsOf(metric));

    public static string GrainKeyOf(string metric, LabelSet series, int shards) =>
        shards <= 1 ? PlainKey(metric) : ShardKey(metric, ShardOf(series, shards));

    /// <summary>
    /// The key of a metric's plain (unsharded) grain: the name itself, unless the name would read as a shard key
    /// (UTF-8 names may hold '#': <c>a#3</c>) or ends in '#', which then gets one more '#' (<c>a#3#</c>) that
    /// <see cref="ParseKey"/> takes off again. Every name a legacy name could be keeps its key.
    /// </summary>
    public static string PlainKey(string metric) =>
        metric.Length > 0 && (metric[^1] == KeySeparator || ParseKey(metric).Shard >= 0)
            ? string.Concat(metric, KeySeparator.ToString())
            : metric;

    /// <summary>Stable in every process (FNV-1a over the labels, as the forwarder pool uses).</summary>
    public static int ShardOf(LabelSet series, int shards) => shards <= 1 ? 0 : ForwardSharding.ShardOf(series, shards);

    public static string ShardKey(string metric, int shard) =>
        string.Concat(metric, KeySeparator.ToString(), shard.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Splits a grain key into metric name and shard number (-1 for the plain grain): <c>name#k</c> is shard k, a
    /// key ending in '#' the plain grain of a name that holds '#' (<see cref="PlainKey"/>), anything else a plain
    /// grain named by the key.
    /// </summary>
    public static (string Metric, int Shard) ParseKey(string key)
    {
        if (key.Length > 1 && key[^1] == KeySeparator) return (key[..^1], -1);
        var at = key.LastIndexOf(KeySeparator);
        if (at > 0 && at < key.Length - 1 && key.AsSpan(at + 1).IndexOfAnyExceptInRange('0', '9') < 0 &&
            int.TryParse(key.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var shard) &&
            shard < ShardingOptions.MaxShards)
        {
            return (key[..at], shard);
        }
        return (key, -1);
    }

    /// <summary>
    /// Regroups exemplar-bearing series by metric into groups by grain key, keeping each series' position relative to
    /// the others of its grain. Unsharded metrics keep their list as it is.
    /// </summary>
    public Dictionary<string, List<SeriesExemplars>> Route(IEnumerable<KeyValuePair<string, List<SeriesExemplars>>> byMetric)
    {
        var byGrain = new Dictionary<string, List<SeriesExemplars>>(StringComparer.Ordinal);
        foreach (var (metric, series) in byMetric)
        {
            var shards = ShardsOf(metric);
            if (shards <= 1)
            {
                Add(byGrain, PlainKey(metric), series);
                continue;
            }
            foreach (var s in series)
            {
                var key = ShardKey(metric, ShardOf(s.Series, shards));
                if (!byGrain.TryGetValue(key, out var list)) byGrain[key] = list = [];
                list.Add(s);
            }
        }
        return byGrain;
    }

    private static void Add(Dictionary<string, List<SeriesExemplars>> byGrain, string key, List<SeriesExemplars> series)
    {
        // The caller's list is reused, never appended to: it belongs to the decoded request.
        byGrain[key] = byGrain.TryGetValue(key, out var list) ? [.. list, .. series] : series;
    }
}
