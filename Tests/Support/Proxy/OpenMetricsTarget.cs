using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>
/// A scrape target on 127.0.0.1 (Kestrel) serving <c>/metrics</c> in OpenMetrics 1.0 with exemplars on counters and
/// histogram buckets, as an instrumented service would. Each of the first <see cref="Rounds"/> scrapes moves the
/// counters and attaches new exemplars (explicit, increasing timestamps); later scrapes get the last page unchanged,
/// so the exemplar count settles (a repeated exemplar is a duplicate to Prometheus and to us).
/// </summary>
public sealed class OpenMetricsTarget : IAsyncDisposable
{
    public const string ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private readonly object _lock = new();
    private readonly List<long> _roundTimes = [];
    private WebApplication? _app;
    private string _page = "# EOF\n";
    private int _round;
    private double _users, _orders, _bucket01, _bucket05, _bucketInf, _sum;

    public OpenMetricsTarget(int rounds) => Rounds = rounds;

    public int Rounds { get; }
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Exemplars put on the page so far (each one once).</summary>
    public int ExemplarsServed { get; private set; }

    /// <summary>The exemplar timestamp (ms) of each round served so far.</summary>
    public IReadOnlyList<long> RoundTimes { get { lock (_lock) return _roundTimes.ToArray(); } }

    public bool Settled { get { lock (_lock) return _round >= Rounds; } }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async http =>
        {
            if (http.Request.Path != "/metrics")
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            http.Response.ContentType = ContentType;
            await http.Response.WriteAsync(NextPage(), http.RequestAborted);
        });
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private string NextPage()
    {
        lock (_lock)
        {
            if (_round >= Rounds) return _page;
            var r = ++_round;
            var now = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _roundTimes.Count == 0 ? 0 : _roundTimes[^1] + 1);
            _roundTimes.Add(now);
            var ts = (now / 1000m).ToString("0.000", CultureInfo.InvariantCulture);
            string Exemplar(string labels, double value)
            {
                ExemplarsServed++;
                return $" # {{{labels}}} {value.ToString("R", CultureInfo.InvariantCulture)} {ts}";
            }
            string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);

            _users += 3;
            _orders += 1;
            _bucket01 += 1;
            _bucket05 += 2;
            _bucketInf += 3;
            _sum += 0.05 + 2 * 0.3 + 1.5;
            var page = new StringBuilder();
            page.Append("# TYPE demo_requests counter\n# HELP demo_requests Requests served.\n");
            page.Append($"demo_requests_total{{path=\"/users\",code=\"200\"}} {N(_users)}{Exemplar($"trace_id=\"u{r}\"", 1)}\n");
            page.Append($"demo_requests_total{{path=\"/orders\",code=\"500\"}} {N(_orders)}" +
                        (r % 2 == 0 ? Exemplar($"trace_id=\"o{r}\",span_id=\"s{r}\"", 1) : "") + "\n");
            page.Append("# TYPE demo_latency_seconds histogram\n# HELP demo_latency_seconds Request latency.\n");
            page.Append($"demo_latency_seconds_bucket{{path=\"/users\",le=\"0.1\"}} {N(_bucket01)}{Exemplar($"trace_id=\"h1-{r}\"", 0.05 + r * 0.001)}\n");
            page.Append($"demo_latency_seconds_bucket{{path=\"/users\",le=\"0.5\"}} {N(_bucket05)}" +
                        (r % 2 == 1 ? Exemplar($"trace_id=\"h5-{r}\",user=\"José\"", 0.3) : "") + "\n");
            page.Append($"demo_latency_seconds_bucket{{path=\"/users\",le=\"+Inf\"}} {N(_bucketInf)}" +
                        (r % 3 == 0 ? Exemplar($"trace_id=\"hi-{r}\"", 1.5) : "") + "\n");
            page.Append($"demo_latency_seconds_sum{{path=\"/users\"}} {N(_sum)}\n");
            page.Append($"demo_latency_seconds_count{{path=\"/users\"}} {N(_bucketInf)}\n");
            page.Append("# TYPE demo_queue_depth gauge\ndemo_queue_depth 3\n# EOF\n");
            _page = page.ToString();
            return _page;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
