namespace OrleansExemplars.Grains.Ingest;

/// <summary>
/// Sends items to keyed destinations with at most one send per key in flight: items for a key that is busy wait and
/// go together in its next send. Under load each destination gets one call per round trip however many callers
/// there are, instead of a queue of small calls each waiting its turn (a metric grain handles one call at a time, and
/// each call waits for its WAL fsync); when idle, an item goes at once. Thread-safe.
/// </summary>
/// <remarks>
/// A caller's task completes when the send carrying its items completed, and fails with that send's exception: every
/// caller of a merged send shares its outcome.
/// </remarks>
public sealed class PerKeyCoalescer<TItem>(Func<string, TItem[], Task> send)
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>Keys with a send in flight or items waiting (for tests and gauges).</summary>
    public int BusyKeys
    {
        get
        {
            lock (_lanes) return _lanes.Count;
        }
    }

    public Task SendAsync(string key, IReadOnlyCollection<TItem> items)
    {
        Lane? startPump = null;
        Task done;
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(key, out var lane))
            {
                _lanes[key] = lane = new Lane();
                startPump = lane;
            }
            lane.Waiting.AddRange(items);
            lane.NextSend ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done = lane.NextSend.Task;
        }
        if (startPump is not null) _ = PumpAsync(key, startPump);
        return done;
    }

    private async Task PumpAsync(string key, Lane lane)
    {
        while (true)
        {
            TItem[] batch;
            TaskCompletionSource sent;
            lock (_lanes)
            {
                if (lane.Waiting.Count == 0)
                {
                    _lanes.Remove(key);
                    return;
                }
                batch = [.. lane.Waiting];
                lane.Waiting.Clear();
                sent = lane.NextSend!;
                lane.NextSend = null;
            }
            try
            {
                await send(key, batch);
                sent.TrySetResult();
            }
            catch (Exception e)
            {
                sent.TrySetException(e);
            }
        }
    }

    private sealed class Lane
    {
        public readonly List<TItem> Waiting = [];
        public TaskCompletionSource? NextSend;
    }
}
