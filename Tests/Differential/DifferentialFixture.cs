using System.Net;
using OrleansExemplars.Prometheus.RemoteWrite.V1;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Support.WriteRequests;

namespace OrleansExemplars.Tests.Differential;

/// <summary>
/// Starts the real Prometheus 2.42 and our system side by side and sends both the same remote-write requests:
/// several metrics, label values with quotes, backslashes and non-ASCII, exemplars with several labels, duplicates,
/// out-of-order ones, one over the 128-rune limit, one with an empty label, one without a timestamp.
/// </summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    public ExemplarSystem Ours { get; private set; } = null!;
    public PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>Base time in ms (recent, so Prometheus' head accepts the samples; not whole seconds).</summary>
    public long T0 { get; } = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000) / 1000 * 1000 + 123;

    public async Task InitializeAsync()
    {
        var ours = ExemplarSystem.StartAsync();
        var prometheus = PrometheusServer.StartAsync();
        Ours = await ours;
        Prometheus = await prometheus;
        foreach (var request in Requests())
        {
            await PostToBothAsync(request);
        }
    }

    private async Task PostToBothAsync(WriteRequest request)
    {
        using var theirs = await Prometheus.Http.PostAsync("api/v1/write", SnappyContent(request));
        using var ours = await Ours.Http.PostAsync("api/v1/write", SnappyContent(request));
        Assert.True(theirs.StatusCode == HttpStatusCode.NoContent,
            $"Prometheus refused a request: {(int)theirs.StatusCode} {await theirs.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.NoContent, ours.StatusCode);
    }

    private IEnumerable<WriteRequest> Requests()
    {
        var t = T0;
        (string, string)[] Bucket(string le) =>
            [("__name__", "http_request_duration_seconds_bucket"), ("job", "api"), ("path", "/users"), ("le", le)];
        (string, string)[] Rpc = [("__name__", "rpc_latency_seconds"), ("service", "checkout"), ("region", "中文-東京 🚀")];
        (string, string)[] Queue = [("__name__", "queue_depth"), ("queue", "emails"), ("note", "line1\\nback\\\\slash \"q\"")];
        (string, string)[] Jobs = [("__name__", "jobs_total"), ("job", "batch")];
        var tooLongTraceId = new string('x', 130);

        yield return Request(
            Series(Bucket("0.1")).WithSample(3, t).WithExemplar(0.05, t + 1, ("trace_id", "aaa111"), ("span_id", "s1")),
            Series(Bucket("0.5")).WithSample(5, t).WithExemplar(0.3, t + 2, ("trace_id", "aaa222"), ("span_id", "s2")),
            Series(Bucket("+Inf")).WithSample(6, t).WithExemplar(1.25, t + 3, ("trace_id", "aaa333")),
            Series(Rpc).WithSample(1, t)
                .WithExemplar(0.7, t + 4, ("trace_id", "bbb111"), ("user", "José \"Pepe\" Ñandú"))
                .WithExemplar(0.9, t + 5, ("trace_id", tooLongTraceId))
                .WithExemplar(1e-7, t + 6, ("trace_id", "bbb333"), ("empty", "")),
            Series(Queue).WithSample(42, t).WithExemplar(42, t + 5, ("trace_id", "ccc111")),
            Series(Jobs).WithSample(1, t).WithExemplar(-0.5, 0, ("trace_id", "no-timestamp")));

        t += 1000;
        yield return Request(
            // A resend of the newest exemplar: a duplicate, silently ignored.
            Series(Bucket("0.1")).WithSample(4, t).WithExemplar(0.05, T0 + 1, ("trace_id", "aaa111"), ("span_id", "s1")),
            // Older than the series' newest: out of order, rejected.
            Series(Bucket("0.5")).WithSample(6, t).WithExemplar(0.31, T0, ("trace_id", "late")),
            Series(Bucket("+Inf")).WithSample(7, t).WithExemplar(2.5e22, t + 3, ("trace_id", "ddd333")),
            Series(Rpc).WithSample(2, t).WithExemplar(0.8, t + 4, ("trace_id", "ddd444"), ("user", "Zoë")),
            Series(Queue).WithSample(43, t)
                .WithExemplar(43, t + 10, ("trace_id", "ddd555"))
                .WithExemplar(44, t + 11, ("trace_id", "ddd666"))
                .WithExemplar(45, t + 10, ("trace_id", "ddd777"))   // out of order within one request
                .WithExemplar(44, t + 11, ("trace_id", "ddd666"))); // duplicate within one request

        t += 1000;
        yield return Request(
            Series(Bucket("0.1")).WithSample(5, t).WithExemplar(0.07, t + 1, ("trace_id", "eee111"), ("span_id", "s9")),
            Series(Jobs).WithSample(2, t).WithExemplar(3, t + 2, ("trace_id", "eee222")));
    }

    public async Task DisposeAsync()
    {
        if (Ours is not null) await Ours.DisposeAsync();
        if (Prometheus is not null) await Prometheus.DisposeAsync();
    }
}
