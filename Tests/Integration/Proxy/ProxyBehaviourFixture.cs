using Microsoft.Extensions.Logging;
using OrleansExemplars.Tests.Support;
using Xunit;

namespace OrleansExemplars.Tests.Proxy;

/// <summary>
/// Our system proxying to a <see cref="LoopbackUpstream"/> under a path prefix, with a bearer token for the upstream,
/// a 2 s <c>Query:UpstreamTimeout</c> and every log entry (down to Trace) kept.
/// </summary>
public sealed class ProxyBehaviourFixture : IAsyncLifetime
{
    public const string Token = "tok-5ecret-Zq81";

    public LoopbackUpstream Upstream { get; private set; } = null!;
    public ExemplarSystem Ours { get; private set; } = null!;
    public ListLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Upstream = await LoopbackUpstream.StartAsync();
        Ours = await ExemplarSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            // A trailing slash too: the upstream must still get /prefix/api/v1/…, not /prefix//api/v1/….
            ["Query:UpstreamUrl"] = new Uri(Upstream.BaseAddress, "prefix/").ToString(),
            ["Query:UpstreamTimeout"] = "00:00:02",
            ["Query:UpstreamBearerToken"] = Token,
        }, configureApi: api =>
        {
            api.Logging.SetMinimumLevel(LogLevel.Trace);
            api.Logging.AddProvider(Logs);
        });
    }

    public async Task DisposeAsync()
    {
        if (Ours is not null) await Ours.DisposeAsync();
        if (Upstream is not null) await Upstream.DisposeAsync();
    }
}
