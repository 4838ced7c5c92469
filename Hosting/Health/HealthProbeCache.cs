using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrleansExemplars.Hosting.Health;

/// <summary>
/// Runs dependency probes with <see cref="HealthOptions.Timeout"/> and keeps each result for
/// <see cref="HealthOptions.CacheDuration"/>. Probes that arrive while one runs share it; a caller that gives up does
/// not cancel it for the others. A probe that throws or times out is unhealthy, its exception attached.
/// </summary>
public sealed class HealthProbeCache(IOptions<HealthOptions> options, TimeProvider time)
{
    private readonly HealthOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public TimeSpan Timeout => _options.Timeout;

    public Task<HealthCheckResult> GetAsync(string key, Func<CancellationToken, Task<HealthCheckResult>> probe,
        CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        var entry = _entries.AddOrUpdate(key,
            static (_, state) => state.Self.Start(state.Probe, state.Now),
            static (_, existing, state) =>
                existing.Task.IsCompleted && state.Self.TimeSince(existing.Started, state.Now) >= state.Self._options.CacheDuration
                    ? state.Self.Start(state.Probe, state.Now)
                    : existing,
            (Self: this, Probe: probe, Now: now));
        return entry.Task.WaitAsync(cancellationToken);
    }

    private TimeSpan TimeSince(long started, long now) => time.GetElapsedTime(started, now);

    private Entry Start(Func<CancellationToken, Task<HealthCheckResult>> probe, long now) =>
        new(now, RunAsync(probe));

    private async Task<HealthCheckResult> RunAsync(Func<CancellationToken, Task<HealthCheckResult>> probe)
    {
        await Task.Yield(); // never run a probe inside the dictionary's update
        using var timeout = new CancellationTokenSource(_options.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await probe(timeout.Token).WaitAsync(_options.Timeout + TimeSpan.FromMilliseconds(100));
        }
        catch (Exception e) when (timeout.IsCancellationRequested || e is TimeoutException)
        {
            return HealthCheckResult.Unhealthy(
                $"timed out after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.###} s (Health:Timeout {_options.Timeout})", e);
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy(e.Message, e);
        }
    }

    private sealed record Entry(long Started, Task<HealthCheckResult> Task);
}
