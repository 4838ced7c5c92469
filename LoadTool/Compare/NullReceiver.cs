using System.Net;
using OrleansExemplars.Prometheus.RemoteWrite.V1;

namespace OrleansExemplars.LoadTool.Compare;

/// <summary>
/// The far end of a relay in <c>compare</c>: a remote-write 1.0 receiver on loopback that decodes every request (snappy,
/// protobuf), counts its samples and answers 204, storing nothing — so what is measured is the relay in front of it.
/// </summary>
public sealed class NullReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _samples;
    private long _requests;

    public NullReceiver(string host, int port)
    {
        WriteUrl = new Uri($"http://{host}:{port}/api/v1/write");
        _listener.Prefixes.Add($"http://{host}:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri WriteUrl { get; }

    public long Samples => Interlocked.Read(ref _samples);

    public long Requests => Interlocked.Read(ref _requests);

    public void Reset()
    {
        Interlocked.Exchange(ref _samples, 0);
        Interlocked.Exchange(ref _requests, 0);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            context.Request.InputStream.CopyTo(body);
            var request = WriteRequest.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(body.ToArray()));
            long samples = 0;
            foreach (var series in request.Timeseries) samples += series.Samples.Count + series.Histograms.Count;
            Interlocked.Add(ref _samples, samples);
            Interlocked.Increment(ref _requests);
            context.Response.StatusCode = 204;
        }
        catch (Exception e) when (e is IOException or Google.Protobuf.InvalidProtocolBufferException or InvalidDataException)
        {
            context.Response.StatusCode = 400;
        }
        finally
        {
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        await _loop;
    }
}

/// <summary>CPU time a process has used (user + system, <c>/proc/&lt;pid&gt;/stat</c>), for CPU per million samples.</summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) +
                    long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }
}
