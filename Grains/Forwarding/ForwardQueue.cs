using OrleansExemplars.Prometheus.Model;

namespace OrleansExemplars.Grains.Forwarding;

/// <summary>
/// One endpoint's queue inside one forwarder shard. Series wait in arrival order until a batch closes — at
/// <c>maxSamplesPerSend</c> samples, when the oldest has waited <c>deadline</c>, or when nothing more has arrived for
/// <see cref="Lull"/> — and batches are sent one at a time, so a series' samples reach the endpoint in the order they
/// came. The send delegate owns retries: it returns only when the endpoint accepted the batch or refused it for good.
/// <para>
/// A send that throws anything but the queue's own cancellation is a bug or a fault outside the HTTP exchange (which the
/// delegate retries itself): the queue reports it (<c>sendFailed</c>: logged and counted by the grain), waits
/// <see cref="FirstErrorBackoff"/> doubling to <see cref="MaxErrorBackoff"/>, and sends the same batch again, for as long
/// as it takes. Nothing is dropped on an exception: what can never be sent (a series the encoder refuses) is the
/// delegate's to drop, since only it knows.
/// </para>
/// </summary>
/// <remarks>
/// The lull rule exists because delivery is acknowledgement-gated: a Kafka partition (or an HTTP sender) waits for
/// its batch before sending more, so once input pauses, waiting out the deadline adds latency and buys no larger
/// batch. Under steady load the queue fills faster than the lull and batches still close at the maximum.
/// </remarks>
public sealed class ForwardQueue : IAsyncDisposable
{
    public delegate Task SendBatch(IReadOnlyList<ForwardSeries> batch, CancellationToken cancellationToken);

    /// <summary>Hears of a send that threw, with how many times in a row the same batch failed so far.</summary>
    public delegate void SendFailed(Exception exception, IReadOnlyList<ForwardSeries> batch, int failures);

    public static readonly TimeSpan FirstErrorBackoff = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxErrorBackoff = TimeSpan.FromSeconds(10);

    private readonly SendBatch _send;
    private readonly SendFailed? _sendFailed;
    private readonly int _maxSamplesPerSend;
    private readonly TimeSpan _deadline;
    private readonly Action<long>? _pendingChanged;
    private readonly Queue<Item> _items = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _pendingSamples;
    private DateTime _oldest;
    private DateTime _newest;

    /// <summary>How long the queue stays quiet before a partial batch is sent anyway.</summary>
    public static readonly TimeSpan Lull = TimeSpan.FromMilliseconds(5);

    public ForwardQueue(SendBatch send, int maxSamplesPerSend, TimeSpan deadline, Action<long>? pendingChanged = null,
        SendFailed? sendFailed = null)
    {
        _send = send;
        _sendFailed = sendFailed;
        _maxSamplesPerSend = maxSamplesPerSend;
        _deadline = deadline;
        _pendingChanged = pendingChanged;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Samples (float and native-histogram) waiting or being sent.</summary>
    public long PendingSamples => Interlocked.Read(ref _pendingSamples);

    /// <summary>Queues <paramref name="series"/>; <paramref name="owner"/> hears of each one once it is sent.</summary>
    public void Enqueue(IReadOnlyList<ForwardSeries> series, PendingBatch owner)
    {
        long samples = 0;
        lock (_items)
        {
            _newest = DateTime.UtcNow;
            if (_items.Count == 0) _oldest = _newest;
            foreach (var s in series)
            {
                var item = new Item(s, owner);
                _items.Enqueue(item);
                samples += item.Samples;
            }
        }
        Interlocked.Add(ref _pendingSamples, samples);
        _pendingChanged?.Invoke(samples);
        _signal.Release();
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var batch = await NextBatchAsync(ct);
                await SendUntilDoneAsync(batch.Select(i => i.Series).ToList(), ct);
                long samples = 0;
                foreach (var item in batch)
                {
                    samples += item.Samples;
                    item.Owner.PartDone();
                }
                Interlocked.Add(ref _pendingSamples, -samples);
                _pendingChanged?.Invoke(-samples);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Sends <paramref name="series"/>, again and again after a backoff while the send throws.</summary>
    private async Task SendUntilDoneAsync(List<ForwardSeries> series, CancellationToken ct)
    {
        var backoff = FirstErrorBackoff;
        for (var failures = 1; ; failures++)
        {
            try
            {
                await _send(series, ct);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                try
                {
                    _sendFailed?.Invoke(e, series, failures);
                }
                catch (Exception)
                {
                    // Reporting must not stop the queue: the batch is retried all the same.
                }
            }
            await Task.Delay(backoff, ct);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxErrorBackoff.Ticks));
        }
    }

    /// <summary>Waits for a batch to close and takes it: whole series, at most maxSamplesPerSend (at least one series).</summary>
    private async Task<List<Item>> NextBatchAsync(CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_items)
            {
                if (_items.Count > 0)
                {
                    var now = DateTime.UtcNow;
                    var waited = now - _oldest;
                    var quiet = now - _newest;
                    if (Interlocked.Read(ref _pendingSamples) >= _maxSamplesPerSend || waited >= _deadline || quiet >= Lull)
                    {
                        return Take();
                    }
                    wait = TimeSpan.FromTicks(Math.Min((_deadline - waited).Ticks, (Lull - quiet).Ticks));
                }
                else
                {
                    wait = Timeout.InfiniteTimeSpan;
                }
            }
            await _signal.WaitAsync(wait, ct);
        }
    }

    private List<Item> Take()
    {
        var batch = new List<Item>();
        var samples = 0L;
        while (_items.Count > 0 && (batch.Count == 0 || samples + _items.Peek().Samples <= _maxSamplesPerSend))
        {
            var item = _items.Dequeue();
            samples += item.Samples;
            batch.Add(item);
        }
        // What stays behind starts a new wait: it has been waiting since before this batch closed.
        if (_items.Count > 0) _oldest = DateTime.UtcNow - _deadline;
        return batch;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _pendingChanged?.Invoke(-Interlocked.Exchange(ref _pendingSamples, 0));
        _stop.Dispose();
        _signal.Dispose();
    }

    private sealed record Item(ForwardSeries Series, PendingBatch Owner)
    {
        // A native histogram counts as a sample (as Prometheus' max_samples_per_send counts it); a series with
        // exemplars only still costs a slot in the request.
        public long Samples { get; } = Math.Max(1, Series.SampleCount + Series.HistogramCount);
    }
}

/// <summary>A batch being forwarded: complete once each of its series was sent by each endpoint queue.</summary>
public sealed class PendingBatch(string id, int parts)
{
    private int _remaining = parts;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public Task Completion => _remaining == 0 ? Task.CompletedTask : _done.Task;

    public void PartDone()
    {
        if (Interlocked.Decrement(ref _remaining) == 0) _done.TrySetResult();
    }
}
