using System.Net;
using System.Net.Sockets;

namespace Analytics.DevStack;

/// <summary>Loopback port helpers shared by the commands.</summary>
internal static class Ports
{
    /// <summary>Binds a listener on 127.0.0.1:<paramref name="port"/> (0 = any free port) or explains who is in the way.</summary>
    public static TcpListener Listen(int port, string what)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            throw new DevStackException(
                $"{what}: port 127.0.0.1:{port} is already in use (find the owner with: ss -ltnp 'sport = :{port}')",
                ExitCodes.PortInUse);
        }
    }

    /// <summary>
    /// Resolves 0 to a currently free port. For peers that bind the port themselves (chDB) there is a small
    /// window in which another process could take it; the caller then reports the bind failure.
    /// </summary>
    public static int ResolveFree(int port, string what)
    {
        using var listener = Listen(port, what);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
