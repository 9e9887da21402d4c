using System.Net;
using System.Net.Sockets;

namespace Analytics.DevStack.Kafka;

/// <summary>
/// Accepts connections on a fixed loopback port and pipes each one to a target endpoint, byte for byte.
/// The mock broker listens on a random port and <c>rd_kafka_mock_broker_set_host_port</c> only changes what it
/// advertises, so this is what makes the advertised fixed port (e.g. 9092) actually answer.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly TcpListener listener;
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task acceptLoop;

    /// <param name="listener">An already started listener (binding first lets the caller report a taken port early).</param>
    /// <param name="target">Where every accepted connection is forwarded.</param>
    public TcpForwarder(TcpListener listener, IPEndPoint target)
    {
        this.listener = listener;
        this.target = target;
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndpoint => (IPEndPoint)listener.LocalEndpoint;

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await acceptLoop;
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && stopping.IsCancellationRequested)
            {
                return;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                // Kafka requests are small and latency bound: disable Nagle on both legs.
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(target, stopping.Token);
                await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A peer went away or we are stopping: both sockets are closed by the using blocks.
            }
        }
    }

    /// <summary>Copies until <paramref name="from"/> ends, then half-closes <paramref name="to"/> so the other side sees EOF too.</summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[BufferSize];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, stopping.Token)) > 0)
            {
                // SendAsync may accept fewer bytes than offered: loop until the chunk is out.
                for (var sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, stopping.Token);
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Reset or stop: closing both ends makes the opposite pump fail fast instead of hanging.
            from.Close();
            to.Close();
        }
    }
}
