using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.Model;
using OrleansExemplars.Tests.Support;

namespace OrleansExemplars.Tests.Forwarding;

/// <summary>
/// The forwarding services as a host registers them (<see cref="RemoteWriteServiceCollectionExtensions.AddRemoteWriteForwarding"/>
/// over configuration), with the metrics and logs recorded.
/// </summary>
public sealed class ForwardingHost : IAsyncDisposable
{
    public const string Endpoint = "rw";

    private readonly ServiceProvider _services;

    private ForwardingHost(ServiceProvider services, ListLoggerProvider logs)
    {
        _services = services;
        Logs = logs;
        Metrics = new MeterRecorder(services.GetRequiredService<IMeterFactory>(), RemoteWriteMetrics.MeterName);
        Senders = services.GetRequiredService<RemoteWriteSenders>();
    }

    public RemoteWriteSenders Senders { get; }
    public MeterRecorder Metrics { get; }
    public ListLoggerProvider Logs { get; }
    public IServiceProvider Services => _services;

    /// <summary>The single endpoint's sender (named <see cref="Endpoint"/> by <see cref="ForEndpoint"/>).</summary>
    public RemoteWriteSender Sender => Senders[Endpoint];

    public static ForwardingHost Create(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var logs = new ListLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddRemoteWriteForwarding(configuration);
        return new ForwardingHost(services.BuildServiceProvider(validateScopes: true), logs);
    }

    /// <summary>
    /// One endpoint named "rw" at <paramref name="url"/>, with short backoffs (20 ms to 200 ms) so that tests are quick
    /// and a wait of a second can only come from a <c>Retry-After</c>; <paramref name="settings"/> are keys under
    /// <c>RemoteWrite:Endpoints:0:</c> (e.g. <c>Protocol</c>) and override those.
    /// </summary>
    public static ForwardingHost ForEndpoint(Uri url, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["RemoteWrite:Endpoints:0:Url"] = url.ToString(),
            ["RemoteWrite:Endpoints:0:Name"] = Endpoint,
            ["RemoteWrite:Endpoints:0:MinBackoff"] = "00:00:00.020",
            ["RemoteWrite:Endpoints:0:MaxBackoff"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings) all[$"RemoteWrite:Endpoints:0:{key}"] = value;
        return Create(all);
    }

    public double Counter(string name, params (string Key, string Value)[] tags) =>
        Metrics.Sum(name, [("endpoint", Endpoint), .. tags]);

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _services.DisposeAsync();
    }
}

/// <summary>Batches for the forwarding tests, and a text form to compare what was sent with what arrived.</summary>
public static class ForwardData
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static ForwardSeries Series(LabelSet labels, Sample[] samples, params Exemplar[] exemplars) =>
        new(labels, samples, exemplars);

    public static Exemplar Trace(string traceId, double value, long timestampMs) =>
        new(LabelSet.From(("trace_id", traceId)), value, timestampMs, true);

    /// <summary>Two series with samples and exemplars (one without a timestamp), non-ASCII values included.</summary>
    public static IReadOnlyList<ForwardSeries> Batch() =>
    [
        Series(LabelSet.From(("__name__", "http_request_duration_seconds_bucket"), ("job", "api"), ("le", "0.5")),
            [new Sample(3, 1_700_000_000_000), new Sample(5, 1_700_000_015_000)],
            Trace("5e8f0a", 0.31, 1_700_000_014_500)),
        Series(LabelSet.From(("__name__", "rpc_latency_seconds"), ("service", "zürich-ü"), ("zone", "eu")),
            [new Sample(0.25, 1_700_000_001_000)],
            Trace("aa01", 0.2, 1_700_000_000_900), new Exemplar(LabelSet.From(("span", "x")), 7, 0, false)),
        Series(LabelSet.From(("__name__", "up"), ("job", "api")), [new Sample(1, 1_700_000_002_000)]),
    ];

    public static int SampleCount(IEnumerable<ForwardSeries> batch) => batch.Sum(s => s.Samples.Length);

    public static int ExemplarCount(IEnumerable<ForwardSeries> batch) => batch.Sum(s => s.Exemplars.Length);

    /// <summary>Everything in a batch as text; <paramref name="exemplars"/> false leaves exemplars out.</summary>
    public static string Dump(IEnumerable<ForwardSeries> batch, bool exemplars = true)
    {
        var sb = new StringBuilder();
        foreach (var s in batch)
        {
            sb.Append(s.Labels).AppendLine();
            foreach (var sample in s.Samples) sb.Append(CultureInfo.InvariantCulture, $"  {sample.Value:R} @{sample.TimestampMs}").AppendLine();
            if (!exemplars) continue;
            foreach (var e in s.Exemplars)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  # {e.Labels} {e.Value:R} @{e.TimestampMs} {e.HasTimestamp}").AppendLine();
            }
        }
        return sb.ToString();
    }
}
