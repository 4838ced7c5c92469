using System.Globalization;
using System.Net;

namespace OrleansExemplars.LoadTool.Compare;

/// <summary>The receivers the compare command can start and load.</summary>
public enum CompareTarget
{
    VictoriaMetrics,
    Prometheus,
    Ours,

    /// <summary>Debian's vmagent relaying to a null receiver; with it in the run, ours forwards to one too.</summary>
    Vmagent,
}

/// <summary>What one <c>compare</c> run does, parsed from its arguments (see <see cref="Usage"/>).</summary>
/// <param name="Host">Loopback address every started server listens on and every request goes to.</param>
/// <param name="Requests">Measured requests sent to each receiver (the same pre-encoded bytes to each).</param>
/// <param name="Warmup">Requests sent to each receiver before the measured ones (another seed, so other series).</param>
/// <param name="QueryRepetitions">Timed repetitions of each query per system (after one untimed).</param>
/// <param name="Timeout">Bound of the whole run; what was started is stopped when it is over.</param>
/// <param name="Storage">Grain storage of our silo: <c>Memory</c> or <c>File</c> (in the run's temporary directory).</param>
/// <param name="OursWritesToSilo">Ours is written to at the silo's own <c>/api/v1/write</c> (else the API host's).</param>
public sealed record CompareSettings(
    string Host,
    long Requests,
    int Warmup,
    int Concurrency,
    int Series,
    int Metrics,
    int Shards,
    double ExemplarRatio,
    int Seed,
    int QueryRepetitions,
    TimeSpan Timeout,
    string ChartPath,
    string Storage,
    IReadOnlyList<CompareTarget> Targets,
    string PrometheusBinary,
    string VictoriaMetricsBinary,
    string VmagentBinary,
    string? Repository,
    bool OursWritesToSilo = true)
{
    /// <summary>vmagent is in the run: relays (vmagent and ours) forward to a null receiver and are timed to it.</summary>
    public bool Relay => Targets.Contains(CompareTarget.Vmagent);

    public const string Usage =
        """
        usage: loadtool compare [options]
          Starts Prometheus and VictoriaMetrics (Debian binaries) and this system (Silo + ApiHost from their Release
          build output) on free loopback ports, sends each the same pre-encoded remote-write requests, times
          query_exemplars in Prometheus and here, prints a table with the ratios and writes a PNG chart.
          --out PATH          chart PNG (default side-by-side.png)
          --requests N        measured requests per receiver (default 6400: 640 000 exemplars, 6.4 M samples)
          --warmup N          unmeasured requests per receiver first, other series (default 2000)
          --concurrency C     HTTP connections (default 4)
          --series M          series per request (default 1000)   --metrics N   metric names (default 200)
          --shards K          disjoint series sets (default 100: 100 000 series)
          --exemplar-ratio F  share of series with an exemplar per request (default 0.1)
          --seed S            workload seed (default 1)
          --query-reps R      timed repetitions of each query per system (default 7)
          --timeout S         bound of the whole run in seconds (default 1200)
          --storage memory|file   our silo's grain storage (default memory; the WAL is on either way)
          --ours-write silo|apihost   where ours is written to: the silo's own /api/v1/write (default) or the API
                              host's (one gateway hop more); queries go to the API host either way
          --targets LIST      comma-separated subset of victoriametrics,prometheus,ours,vmagent (default the first three);
                              with vmagent, vmagent and ours both forward to a null receiver (a relay each) and are
                              timed until it has every sample, with CPU per million samples
          --prometheus PATH   (default: prometheus on PATH)   --victoria-metrics PATH (default: victoria-metrics on PATH)
          --vmagent PATH      (default: vmagent on PATH, Debian package victoria-metrics)
          --repo DIR          checkout with Silo/ and ApiHost/ built in Release (default: found above the current directory)
          --host ADDRESS      loopback address to use (default 127.0.0.1); anything else is refused
        """;

    /// <exception cref="ArgumentException">An unknown, incomplete or invalid option, or a non-loopback host.</exception>
    public static CompareSettings Parse(IReadOnlyList<string> args)
    {
        string[] valueOptions =
        [
            "out", "requests", "warmup", "concurrency", "series", "metrics", "shards", "exemplar-ratio", "seed", "query-reps",
            "timeout", "storage", "ours-write", "targets", "prometheus", "victoria-metrics", "vmagent", "repo", "host",
        ];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {arg}");
            var key = arg[2..];
            if (key == "allow-remote") throw new ArgumentException("compare runs on loopback only: --allow-remote is not an option here");
            if (!valueOptions.Contains(key)) throw new ArgumentException($"unknown option {arg}");
            if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
            values[key] = args[++i];
        }

        long Long(string key, long fallback, long min, long max)
        {
            if (!values.TryGetValue(key, out var text)) return fallback;
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                throw new ArgumentException($"--{key} must be an integer in [{min}, {max}]");
            }
            return v;
        }

        var host = values.GetValueOrDefault("host", "127.0.0.1");
        if (!IPAddress.TryParse(host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"refusing --host {host}: compare starts servers and sends load on a loopback address only (e.g. 127.0.0.1)");
        }

        var ratioText = values.GetValueOrDefault("exemplar-ratio", "0.1");
        if (!double.TryParse(ratioText, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) || !(ratio is >= 0 and <= 1))
        {
            throw new ArgumentException("--exemplar-ratio must be a number in [0, 1]");
        }

        var storage = values.GetValueOrDefault("storage", "memory").ToLowerInvariant() switch
        {
            "memory" => "Memory",
            "file" => "File",
            var other => throw new ArgumentException($"--storage must be memory or file, not {other}"),
        };

        var oursToSilo = values.GetValueOrDefault("ours-write", "silo").ToLowerInvariant() switch
        {
            "silo" => true,
            "apihost" => false,
            var other => throw new ArgumentException($"--ours-write must be silo or apihost, not {other}"),
        };

        var targets = values.GetValueOrDefault("targets", "victoriametrics,prometheus,ours")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.ToLowerInvariant() switch
            {
                "victoriametrics" or "vm" => CompareTarget.VictoriaMetrics,
                "prometheus" => CompareTarget.Prometheus,
                "ours" => CompareTarget.Ours,
                "vmagent" => CompareTarget.Vmagent,
                _ => throw new ArgumentException($"--targets: unknown target {t} (victoriametrics, prometheus, ours, vmagent)"),
            })
            .Distinct().Order().ToArray();
        if (targets.Length == 0) throw new ArgumentException("--targets must name at least one target");

        var chart = values.GetValueOrDefault("out", "side-by-side.png");
        if (!chart.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("--out must name a .png file");

        return new CompareSettings(
            host.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address.ToString(),
            Long("requests", 6400, 1, 1_000_000),
            (int)Long("warmup", 2_000, 0, 1_000_000),
            (int)Long("concurrency", 4, 1, 256),
            (int)Long("series", 1000, 1, 100_000),
            (int)Long("metrics", 200, 1, 100_000),
            (int)Long("shards", 100, 1, 100_000),
            ratio,
            (int)Long("seed", 1, int.MinValue + 1, int.MaxValue - 1),
            (int)Long("query-reps", 7, 1, 1000),
            TimeSpan.FromSeconds(Long("timeout", 1200, 10, 86_400)),
            Path.GetFullPath(chart),
            storage,
            targets,
            values.GetValueOrDefault("prometheus", "prometheus"),
            values.GetValueOrDefault("victoria-metrics", "victoria-metrics"),
            values.GetValueOrDefault("vmagent", "vmagent"),
            values.GetValueOrDefault("repo"),
            oursToSilo);
    }
}
