using System.Globalization;
using System.Text;

namespace OrleansExemplars.Tests.Support;

/// <summary>Reads a process' resident set size (<c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>) every 200 ms, keeping the peak.</summary>
public sealed class RssSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;
    private int _samples;

    public RssSampler(int pid)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (Read(pid) is { } bytes)
                {
                    Interlocked.Increment(ref _samples);
                    if (bytes > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, bytes);
                }
                try
                {
                    await Task.Delay(200, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public long Peak => Interlocked.Read(ref _peak);

    public int Samples => Volatile.Read(ref _samples);

    private static long? Read(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status", Encoding.ASCII))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
