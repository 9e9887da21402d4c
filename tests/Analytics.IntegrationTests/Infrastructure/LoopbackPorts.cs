using System.Net;
using System.Net.Sockets;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>Ephemeral ports for peers that cannot report the port they bound (PostgreSQL).</summary>
internal static class LoopbackPorts
{
    /// <summary>A loopback TCP port that is free right now (the OS picks it from the ephemeral range).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
