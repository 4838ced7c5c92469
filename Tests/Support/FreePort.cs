using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansExemplars.Tests.Support;

/// <summary>
/// Loopback TCP ports for the processes a test starts. They come from below the kernel's ephemeral range: a port there
/// can be taken at any moment as the source port of some outgoing connection, so a silo restarted on the port it had
/// before its SIGKILL would now and then find it "already in use". Ports are handed out once per test process.
/// </summary>
public static class FreePort
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> HandedOut = [];
    private static readonly (int First, int Last) Range = PortsBelowEphemeral();
    private static int s_next = Range.First + (Environment.ProcessId * 7919 % (Range.Last - Range.First));

    /// <summary>A loopback TCP port nobody listens on right now and this process has not handed out before.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var tries = 0; tries <= Range.Last - Range.First; tries++)
            {
                var port = s_next;
                s_next = s_next >= Range.Last ? Range.First : s_next + 1;
                if (HandedOut.Contains(port) || !CanBind(port)) continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port in {Range.First}-{Range.Last}");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>From 10000 up to the start of <c>ip_local_port_range</c> (32768 by default on Linux).</summary>
    private static (int, int) PortsBelowEphemeral()
    {
        var ephemeralStart = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralStart = int.Parse(text[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }
        return ephemeralStart > 12000 ? (10000, ephemeralStart - 1) : (61000, 65000); // an odd range: above the default one
    }
}
