using OrleansExemplars.Grains.Forwarding;
using OrleansExemplars.Prometheus.Model;
using Xunit;

namespace OrleansExemplars.Tests.Forwarding;

public sealed class ForwardQueueTests
{
    private static ForwardSeries Series(string name, int samples, long firstTs = 0) =>
        new(LabelSet.From(("__name__", name)),
            Enumerable.Range(0, samples).Select(i => new Sample(i, firstTs + i)).ToArray(), []);

    [Fact]
    public async Task A_full_queue_is_sent_in_batches_of_at_most_max_samples_without_waiting_for_the_deadline()
    {
        var sent = new List<IReadOnlyList<ForwardSeries>>();
        await using var queue = new ForwardQueue((batch, _) => { lock (sent) sent.Add(batch); return Task.CompletedTask; },
            maxSamplesPerSend: 10, deadline: TimeSpan.FromHours(1));
        var owner = new PendingBatch("b", 3);
        queue.Enqueue([Series("a", 4), Series("b", 4), Series("c", 4)], owner);

        // 4 + 4 fill a batch (a third series would exceed 10); what stays behind has waited as long and goes next.
        await owner.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([["a", "b"], ["c"]], sent.Select(b => b.Select(s => s.Labels.MetricNameOrEmpty).ToArray()));
        Assert.Equal(0, queue.PendingSamples);
    }

    [Fact]
    public async Task A_native_histogram_counts_as_one_sample_towards_max_samples_per_send()
    {
        var sent = new List<IReadOnlyList<ForwardSeries>>();
        await using var queue = new ForwardQueue((batch, _) => { lock (sent) sent.Add(batch); return Task.CompletedTask; },
            maxSamplesPerSend: 10, deadline: TimeSpan.FromHours(1));
        var histograms = Enumerable.Range(0, 6).Select(i => RemoteWrite.NativeHistogramWireTests.IntHistogram(i)).ToArray();
        var owner = new PendingBatch("b", 2);
        queue.Enqueue([new ForwardSeries(LabelSet.From(("__name__", "h")), [], [], histograms), Series("c", 5)], owner);

        await owner.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([["h"], ["c"]], sent.Select(b => b.Select(s => s.Labels.MetricNameOrEmpty).ToArray()));
    }

    [Fact]
    public async Task When_input_pauses_a_partial_batch_goes_without_waiting_for_the_deadline()
    {
        var sent = 0;
        await using var queue = new ForwardQueue((_, _) => { Interlocked.Increment(ref sent); return Task.CompletedTask; },
            maxSamplesPerSend: 1000, deadline: TimeSpan.FromHours(1));
        var owner = new PendingBatch("b", 1);
        queue.Enqueue([Series("a", 4)], owner);
        await owner.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, sent);
    }

    [Fact]
    public async Task A_batch_closes_at_the_deadline_and_completes_its_owners_in_order()
    {
        var sent = new List<string>();
        await using var queue = new ForwardQueue((batch, _) =>
        {
            lock (sent) sent.AddRange(batch.Select(s => s.Labels.MetricNameOrEmpty));
            return Task.CompletedTask;
        }, maxSamplesPerSend: 1000, deadline: TimeSpan.FromMilliseconds(50));
        var first = new PendingBatch("1", 2);
        var second = new PendingBatch("2", 1);
        queue.Enqueue([Series("a", 1), Series("b", 1)], first);
        queue.Enqueue([Series("c", 1)], second);

        await first.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await second.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["a", "b", "c"], sent);
        Assert.Equal(0, queue.PendingSamples);
    }

    [Fact]
    public async Task Batches_are_sent_one_at_a_time_so_order_survives_a_slow_endpoint()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var order = new List<long>();
        await using var queue = new ForwardQueue(async (batch, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (order) { maxInFlight = Math.Max(maxInFlight, now); order.AddRange(batch.SelectMany(s => s.Samples).Select(s => s.TimestampMs)); }
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref inFlight);
        }, maxSamplesPerSend: 3, deadline: TimeSpan.FromMilliseconds(1));
        var owner = new PendingBatch("x", 10);
        for (var i = 0; i < 10; i++) queue.Enqueue([Series("s", 2, firstTs: i * 2)], owner);

        await owner.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, maxInFlight);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), order);
    }

    [Fact]
    public async Task A_send_that_throws_is_retried_with_the_same_batch_and_later_batches_are_still_sent()
    {
        var attempts = new List<string[]>();
        var reported = new List<(string Message, int Failures)>();
        await using var queue = new ForwardQueue((batch, _) =>
        {
            lock (attempts)
            {
                attempts.Add(batch.Select(s => s.Labels.MetricNameOrEmpty).ToArray());
                if (attempts.Count == 1) throw new InvalidOperationException("injected: the first send fails");
            }
            return Task.CompletedTask;
        }, maxSamplesPerSend: 1000, deadline: TimeSpan.FromMilliseconds(1),
            sendFailed: (e, _, failures) => { lock (reported) reported.Add((e.Message, failures)); });
        var first = new PendingBatch("1", 1);
        queue.Enqueue([Series("a", 2)], first);

        // Retried, not dropped: the owner completes once the second attempt went through.
        await first.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var second = new PendingBatch("2", 1);
        queue.Enqueue([Series("b", 1)], second);
        await second.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        lock (attempts) Assert.Equal([["a"], ["a"], ["b"]], attempts);
        lock (reported) Assert.Equal([("injected: the first send fails", 1)], reported);
        Assert.Equal(0, queue.PendingSamples);
    }

    [Fact]
    public async Task A_send_that_keeps_throwing_is_retried_with_a_growing_backoff_and_goes_once_it_stops()
    {
        var failuresLeft = 4;
        var reported = new List<int>();
        var sent = 0;
        await using var queue = new ForwardQueue((_, _) =>
        {
            if (Interlocked.Decrement(ref failuresLeft) >= 0) throw new IOException("injected");
            Interlocked.Increment(ref sent);
            return Task.CompletedTask;
        }, maxSamplesPerSend: 1000, deadline: TimeSpan.FromMilliseconds(1),
            sendFailed: (_, _, failures) => { lock (reported) reported.Add(failures); });
        var owner = new PendingBatch("1", 1);
        queue.Enqueue([Series("a", 3)], owner);

        await owner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, sent);
        lock (reported) Assert.Equal([1, 2, 3, 4], reported);
    }
}
