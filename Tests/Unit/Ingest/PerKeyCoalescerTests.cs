using OrleansExemplars.Grains.Ingest;
using Xunit;

namespace OrleansExemplars.Tests.Ingest;

public sealed class PerKeyCoalescerTests
{
    /// <summary>Records every send and lets the test decide when each completes.</summary>
    private sealed class Destination
    {
        public readonly List<(string Key, int[] Items, TaskCompletionSource Done)> Sends = [];

        public Task Send(string key, int[] items)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Sends) Sends.Add((key, items, done));
            return done.Task;
        }
    }

    [Fact]
    public async Task An_idle_key_is_sent_at_once_and_forgotten_when_done()
    {
        var destination = new Destination();
        var coalescer = new PerKeyCoalescer<int>(destination.Send);
        var task = coalescer.SendAsync("a", [1, 2]);
        var send = Assert.Single(destination.Sends);
        Assert.Equal("a", send.Key);
        Assert.Equal([1, 2], send.Items);
        Assert.False(task.IsCompleted);
        send.Done.SetResult();
        await task;
        Assert.Equal(0, coalescer.BusyKeys);
    }

    [Fact]
    public async Task Items_for_a_busy_key_go_together_in_its_next_send_in_arrival_order()
    {
        var destination = new Destination();
        var coalescer = new PerKeyCoalescer<int>(destination.Send);
        var first = coalescer.SendAsync("a", [1]);
        var waiting = new[] { coalescer.SendAsync("a", [2, 3]), coalescer.SendAsync("a", [4]), coalescer.SendAsync("a", [5]) };
        var other = coalescer.SendAsync("b", [9]);

        // "b" is not held up by "a"; "a" has one send in flight and nothing else sent yet.
        Assert.Equal(["a", "b"], destination.Sends.Select(s => s.Key));
        destination.Sends[0].Done.SetResult();
        await first;
        await WaitFor(() => destination.Sends.Count == 3);
        Assert.Equal("a", destination.Sends[2].Key);
        Assert.Equal([2, 3, 4, 5], destination.Sends[2].Items);
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        destination.Sends[2].Done.SetResult();
        await Task.WhenAll(waiting);
        Assert.False(other.IsCompleted);
        destination.Sends[1].Done.SetResult();
        await other;
        Assert.Equal(0, coalescer.BusyKeys);
    }

    [Fact]
    public async Task A_failed_send_fails_every_caller_it_carried_and_the_key_keeps_working()
    {
        var destination = new Destination();
        var coalescer = new PerKeyCoalescer<int>(destination.Send);
        var first = coalescer.SendAsync("a", [1]);
        var second = coalescer.SendAsync("a", [2]);
        var third = coalescer.SendAsync("a", [3]);
        destination.Sends[0].Done.SetResult();
        await first;
        await WaitFor(() => destination.Sends.Count == 2);
        destination.Sends[1].Done.SetException(new InvalidOperationException("storage down"));
        Assert.Equal("storage down", (await Assert.ThrowsAsync<InvalidOperationException>(() => second)).Message);
        Assert.Equal("storage down", (await Assert.ThrowsAsync<InvalidOperationException>(() => third)).Message);

        var fourth = coalescer.SendAsync("a", [4]);
        await WaitFor(() => destination.Sends.Count == 3);
        Assert.Equal([4], destination.Sends[2].Items);
        destination.Sends[2].Done.SetResult();
        await fourth;
    }

    [Fact]
    public async Task Concurrent_callers_lose_and_duplicate_nothing()
    {
        var received = new List<int>();
        var coalescer = new PerKeyCoalescer<int>(async (key, items) =>
        {
            await Task.Yield();
            lock (received) received.AddRange(items);
        });
        await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => Task.Run(() => coalescer.SendAsync("k" + i % 7, [i]))));
        Assert.Equal(Enumerable.Range(0, 2_000), received.Order());
        Assert.Equal(0, coalescer.BusyKeys);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
