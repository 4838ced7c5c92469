using System.Net;
using System.Net.Sockets;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// A real TCP relay on a loopback port: every connection made to <see cref="Port"/> is piped to the target. A test opens
/// it late to play a server that was unreachable (connections refused) and then comes up on the same address.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    private TcpForwarder(int port, string targetHost, int targetPort)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = port;
        _targetHost = targetHost;
        _targetPort = targetPort;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Listens on <paramref name="port"/> (127.0.0.1) and relays to <paramref name="target"/> (<c>host:port</c>).</summary>
    public static TcpForwarder Start(int port, string target)
    {
        var colon = target.LastIndexOf(':');
        return new TcpForwarder(port, target[..colon], int.Parse(target[(colon + 1)..]));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        lock (_connections)
        {
            _connections.Add(inbound);
            _connections.Add(outbound);
        }
        try
        {
            await outbound.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            using var a = inbound.GetStream();
            using var b = outbound.GetStream();
            var up = a.CopyToAsync(b, _stop.Token);
            var down = b.CopyToAsync(a, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: the relay of this connection ends with it.
        }
        finally
        {
            inbound.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var c in _connections) c.Dispose();
        }
        await _accepting;
        _stop.Dispose();
    }
}
