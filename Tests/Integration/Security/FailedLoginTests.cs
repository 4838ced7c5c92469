using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using OrleansExemplars.Hosting.Security;
using OrleansExemplars.Tests.Support;
using Xunit;
using static OrleansExemplars.Tests.Security.AuthTestHelpers;

namespace OrleansExemplars.Tests.Security;

/// <summary>
/// Failed logins are limited per client address before bcrypt runs, and a flood of random passwords neither costs a
/// bcrypt comparison per request past the limit nor evicts a good user's cached verification. Real HTTP from distinct
/// loopback addresses (127.0.0.x) against the real API host; bcrypt work is counted by its
/// <c>oe_auth_bcrypt_verifications_total</c> (read from this host's meter factory: other tests' hosts in this process
/// export the same meter), not timed.
/// </summary>
public sealed class FailedLoginTests
{
    private const string Password = "the-right-pässword";

    [Fact]
    public async Task Wrong_passwords_from_one_address_get_429_before_bcrypt_runs_and_other_addresses_still_get_in()
    {
        await using var system = await StartAsync(new()
        {
            ["Auth:Read:BasicUsers:grafana"] = Bcrypt(Password),
            ["Auth:FailedLogins:Burst"] = "5",
            ["Auth:FailedLogins:PerMinute"] = "1",
        });
        using var attacker = ClientFrom(system.System, "127.0.0.21");
        using var colleague = ClientFrom(system.System, "127.0.0.22");
        var bcryptBefore = system.Counter("oe_auth_bcrypt_verifications");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            // Half for the real user, half for one that does not exist (checked against a dummy hash: same cost).
            using var response = await QueryAsync(attacker, i % 2 == 0 ? "grafana" : "nobody", "wrong-" + i);
            statuses.Add(response.StatusCode);
        }
        var bcryptRuns = system.Counter("oe_auth_bcrypt_verifications") - bcryptBefore;
        Assert.True(statuses.Take(5).All(s => s == HttpStatusCode.Unauthorized) && statuses.Skip(5).All(s => s == HttpStatusCode.TooManyRequests),
            $"statuses: {string.Join(" ", statuses.Select(s => (int)s))}; bcrypt ran {bcryptRuns} times");
        Assert.Equal(5, bcryptRuns); // the limited 25 were refused before any comparison
        using (var limited = await QueryAsync(attacker, "grafana", "wrong-again"))
        {
            await AssertPrometheusErrorAsync(limited, HttpStatusCode.TooManyRequests, "unavailable");
            Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
            Assert.Empty(limited.Headers.WwwAuthenticate); // no prompt to try again now
        }

        // The limit is on the address, not the user: the right user from another address gets in at once …
        using (var ok = await QueryAsync(colleague, "grafana", Password)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        // … and from the limited address only after Retry-After (its credentials are not even looked at until then).
        using (var locked = await QueryAsync(attacker, "grafana", Password)) Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        // Requests without credentials are not failed logins: the 401 challenge a browser needs still comes.
        using (var anonymous = await QueryAsync(attacker, null, null)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        Assert.Equal(5, system.Counter("oe_auth_failures"));
        Assert.Equal(27, system.Counter("oe_auth_rate_limited"));
    }

    [Fact]
    public async Task Wrong_bearer_tokens_count_as_failed_logins_too()
    {
        await using var system = await StartAsync(new()
        {
            ["Auth:Read:BearerTokens:0"] = "grafana-token-5e1d",
            ["Auth:FailedLogins:Burst"] = "3",
            ["Auth:FailedLogins:PerMinute"] = "1",
        });
        using var guesser = ClientFrom(system.System, "127.0.0.23");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var request = Query();
            request.Headers.Authorization = Bearer("guess-" + i);
            using var response = await guesser.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([401, 401, 401, 429, 429, 429], statuses.Select(s => (int)s));
        using var other = ClientFrom(system.System, "127.0.0.24");
        using var valid = Query();
        valid.Headers.Authorization = Bearer("grafana-token-5e1d");
        using var ok = await other.SendAsync(valid);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_flood_of_random_passwords_does_not_evict_the_good_users_cached_verification()
    {
        await using var system = await StartAsync(new()
        {
            ["Auth:Read:BasicUsers:grafana"] = Bcrypt(Password),
            ["Auth:FailedLogins:Burst"] = "0", // the limit off: only the verification cache is under test here
        });
        using var grafana = ClientFrom(system.System, "127.0.0.25");
        using var flooder = ClientFrom(system.System, "127.0.0.26");
        using (var first = await QueryAsync(grafana, "grafana", Password)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var afterFirst = system.Counter("oe_auth_bcrypt_verifications");
        using (var second = await QueryAsync(grafana, "grafana", Password)) Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(afterFirst, system.Counter("oe_auth_bcrypt_verifications")); // cached

        // More distinct wrong passwords than any cache of results would hold (4 096 before this fix).
        const int flood = 4_500;
        var unauthorized = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, flood), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            // The real user only: an unknown one is compared with the cost-10 dummy hash, 60 times slower than this
            // test's cost-4 hash, for the same cache behaviour.
            using var response = await QueryAsync(flooder, "grafana", Guid.NewGuid().ToString("N"));
            if (response.StatusCode == HttpStatusCode.Unauthorized) Interlocked.Increment(ref unauthorized);
        });
        Assert.Equal(flood, unauthorized);
        var afterFlood = system.Counter("oe_auth_bcrypt_verifications");
        Assert.Equal(afterFirst + flood, afterFlood); // every wrong password was compared once

        using (var again = await QueryAsync(grafana, "grafana", Password)) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(afterFlood == system.Counter("oe_auth_bcrypt_verifications"),
            "the good user's verification was evicted by the flood: its next request ran bcrypt again");
    }

    private sealed class AuthSystem(ExemplarSystem system) : IAsyncDisposable
    {
        private readonly MeterRecorder _metrics = new(system.ApiServices.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName);

        public ExemplarSystem System => system;

        /// <summary>A read-side counter of this host, counted since it started (instrument name without <c>_total</c>).</summary>
        public double Counter(string instrument) => _metrics.Sum(instrument, ("side", "read"));

        public async ValueTask DisposeAsync()
        {
            _metrics.Dispose();
            await system.DisposeAsync();
        }
    }

    private static async Task<AuthSystem> StartAsync(Dictionary<string, string?> settings) =>
        new(await ExemplarSystem.StartAsync(settings: settings));

    private static HttpRequestMessage Query() => new(HttpMethod.Get, "api/v1/query_exemplars?query=auth_metric");

    private static async Task<HttpResponseMessage> QueryAsync(HttpClient client, string? user, string? password)
    {
        using var request = Query();
        if (user is not null) request.Headers.Authorization = Basic(user, password!);
        return await client.SendAsync(request);
    }

    /// <summary>A client whose connections come from <paramref name="localAddress"/> (any 127.0.0.0/8 address is loopback on Linux).</summary>
    private static HttpClient ClientFrom(ExemplarSystem system, string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = system.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

}
