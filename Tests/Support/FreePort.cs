using System.Net;
using System.Net.Sockets;

namespace OrleansExemplars.Tests.Support;

public static class FreePort
{
    /// <summary>A loopback TCP port free right now (bound, read, released).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
