using System.Globalization;
using System.Net;

namespace OrleansExemplars.LoadTool;

public enum LoadTarget
{
    Http,
    Kafka,
}

/// <summary>What one run of the tool does, parsed from its arguments.</summary>
/// <param name="Requests">Requests (Kafka: messages) to send; 0 = no bound.</param>
/// <param name="Duration">Longest run; null = no bound. Neither bound: until Ctrl-C or SIGTERM.</param>
/// <param name="Rate">Requests per second, paced from the start; null = as fast as they are acknowledged.</param>
/// <param name="Concurrency">HTTP: connections (at most one per shard, so each series' requests stay in order);
/// Kafka: messages in flight.</param>
/// <param name="Retry">HTTP: resend a request that failed with 5xx, 429 or a network error, as Prometheus does, until it
/// is acknowledged or the tool is stopped.</param>
public sealed record LoadSettings(
    LoadTarget Target,
    Uri Url,
    string Bootstrap,
    string Topic,
    long Requests,
    TimeSpan? Duration,
    double? Rate,
    int Concurrency,
    WorkloadShape Shape,
    bool Json,
    bool Retry = false,
    IReadOnlyList<Uri>? MoreUrls = null)
{
    /// <summary>
    /// Every URL the load goes to: <see cref="Url"/> and the others of a comma-separated <c>--url</c> (several silos).
    /// Shard k's requests always go to <c>Urls[k mod Urls.Count]</c>, as each Prometheus instance writes to one place.
    /// </summary>
    public IReadOnlyList<Uri> Urls => MoreUrls is { Count: > 0 } more ? [Url, .. more] : [Url];

    public const string Usage =
        """
        usage: loadtool [--target http|kafka] [options]
          --target http     POST to --url (default http://127.0.0.1:8000/api/v1/write); a comma-separated list
                            spreads the shards over several receivers (shard k to URL k mod n), e.g. several silos
          --target kafka    produce to --bootstrap (default 127.0.0.1:9092) --topic (default metrics), keyed by instance
          --allow-remote    allow a non-loopback URL or bootstrap server (refused by default)
          --requests N      requests (Kafka: messages) to send, 0 = no bound (default 2000)
          --duration S      stop after S seconds, 0 = no bound (default 0); no bound at all: until Ctrl-C/SIGTERM
          --rate R          pace at R requests/s (default: as fast as they are acknowledged)
          --concurrency C   HTTP connections, at most one per shard (default 4); Kafka messages in flight (default 64)
          --series M        series per request (default 2000)      --metrics N    metric names (default 100)
          --exemplar-ratio F   share of series with an exemplar per request (default 0.1)
          --shards K        disjoint series sets, one instance each; request r writes shard r mod K (default 8)
          --seed S          seeds run label, trace ids and values (default 1)
          --start MS        timestamp of request 0, Unix ms (default: now; for bounded unpaced runs now - requests*step)
          --step MS         timestamp step between requests (default: 1000/rate when paced, else 1000)
          --retry           HTTP: resend the same bytes after 5xx, 429 or a network error, as Prometheus' remote write
                            (backoff 30 ms doubling to 5 s, or the answer's Retry-After), until acknowledged or stopped
          --json            print only a JSON summary on stdout
        The bytes are a function of the arguments and --start: pass the summary's start back to repeat a run exactly.
        """;

    /// <exception cref="ArgumentException">An unknown, incomplete or invalid option, or a non-loopback target
    /// without <c>--allow-remote</c>.</exception>
    public static LoadSettings Parse(IReadOnlyList<string> args, DateTimeOffset now)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        string[] valueOptions =
        [
            "target", "url", "bootstrap", "topic", "requests", "duration", "rate", "concurrency", "series", "metrics",
            "exemplar-ratio", "shards", "seed", "start", "step",
        ];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {arg}");
            var key = arg[2..];
            if (key is "json" or "allow-remote" or "retry")
            {
                flags.Add(key);
                continue;
            }
            if (!valueOptions.Contains(key)) throw new ArgumentException($"unknown option {arg}");
            if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
            values[key] = args[++i];
        }

        string Value(string key, string fallback) => values.GetValueOrDefault(key, fallback);
        long Long(string key, long fallback, long min, long max)
        {
            if (!values.TryGetValue(key, out var text)) return fallback;
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                throw new ArgumentException($"--{key} must be an integer in [{min}, {max}]");
            }
            return v;
        }
        double Double(string key, double fallback, double min, double max)
        {
            if (!values.TryGetValue(key, out var text)) return fallback;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= min && v <= max))
            {
                throw new ArgumentException($"--{key} must be a number in [{min}, {max}]");
            }
            return v;
        }

        var target = Value("target", "http") switch
        {
            "http" => LoadTarget.Http,
            "kafka" => LoadTarget.Kafka,
            var other => throw new ArgumentException($"--target must be http or kafka, not {other}"),
        };
        var urls = new List<Uri>();
        foreach (var text in Value("url", "http://127.0.0.1:8000/api/v1/write").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var one) || one.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException("--url must be an absolute http(s) URL (or a comma-separated list of them)");
            }
            urls.Add(one);
        }
        if (urls.Count == 0) throw new ArgumentException("--url must be an absolute http(s) URL");
        var url = urls[0];
        var bootstrap = Value("bootstrap", "127.0.0.1:9092");
        var topic = Value("topic", "metrics");
        if (topic.Length == 0) throw new ArgumentException("--topic must not be empty");
        var allowRemote = flags.Contains("allow-remote");
        if (!allowRemote)
        {
            if (target == LoadTarget.Http && urls.FirstOrDefault(u => !u.IsLoopback) is { } remoteUrl)
            {
                throw new ArgumentException($"refusing non-loopback --url host {remoteUrl.Host}: pass --allow-remote to send load there");
            }
            if (target == LoadTarget.Kafka && BootstrapHosts(bootstrap).FirstOrDefault(h => !IsLoopbackHost(h)) is { } remote)
            {
                throw new ArgumentException($"refusing non-loopback --bootstrap host {remote}: pass --allow-remote to send load there");
            }
        }

        if (flags.Contains("retry") && target != LoadTarget.Http)
        {
            throw new ArgumentException("--retry is for --target http (the Kafka producer retries by itself)");
        }

        var requests = Long("requests", 2000, 0, long.MaxValue / 2);
        var durationSeconds = Double("duration", 0, 0, 365 * 86400);
        double? rate = values.ContainsKey("rate") ? Double("rate", 0, 0.001, 1_000_000) : null;
        var concurrency = (int)Long("concurrency", target == LoadTarget.Kafka ? 64 : 4, 1, 4096);
        var series = (int)Long("series", 2000, 1, 1_000_000);
        var metrics = (int)Long("metrics", 100, 1, 1_000_000);
        var ratio = Double("exemplar-ratio", 0.1, 0, 1);
        var shards = (int)Long("shards", 8, 1, 100_000);
        var seed = (int)Long("seed", 1, int.MinValue, int.MaxValue);
        var step = Long("step", rate is { } r ? Math.Max(1, (long)Math.Round(1000 / r)) : 1000, 1, 86_400_000);
        var nowMs = now.ToUnixTimeMilliseconds() / 1000 * 1000;
        var start = Long("start", rate is null && requests > 0 ? nowMs - requests * step : nowMs, 0, long.MaxValue / 4);

        return new LoadSettings(target, url, bootstrap, topic, requests,
            durationSeconds > 0 ? TimeSpan.FromSeconds(durationSeconds) : null, rate, concurrency,
            new WorkloadShape(seed, series, metrics, ratio, shards, start, step), flags.Contains("json"), flags.Contains("retry"),
            urls.Skip(1).ToArray());
    }

    private static IEnumerable<string> BootstrapHosts(string bootstrap) =>
        bootstrap.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(server =>
        {
            var s = server.Contains("://", StringComparison.Ordinal) ? server[(server.IndexOf("://", StringComparison.Ordinal) + 3)..] : server;
            if (s.StartsWith('[')) return s[1..s.IndexOf(']')]; // [::1]:9092
            var colon = s.LastIndexOf(':');
            return colon > 0 && s.IndexOf(':') == colon ? s[..colon] : s;
        });

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Where the load goes, for messages and the summary.</summary>
    public string Destination => Target == LoadTarget.Http ? string.Join(", ", Urls) : $"{Bootstrap} topic {Topic}";
}
