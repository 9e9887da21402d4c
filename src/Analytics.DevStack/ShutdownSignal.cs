using System.Runtime.InteropServices;

namespace Analytics.DevStack;

/// <summary>
/// Turns SIGTERM/SIGINT (and optionally end of stdin) into a cancellation token, so each command can
/// release its peer (mock cluster, chDB listeners) before the process exits.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource cts = new();
    private readonly PosixSignalRegistration terminate;
    private readonly PosixSignalRegistration interrupt;

    public ShutdownSignal(bool exitOnStdinClose)
    {
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        if (exitOnStdinClose)
        {
            // A test fixture keeps our stdin open; when the test process dies, the pipe closes and we follow,
            // instead of leaving an orphan listening on a port.
            _ = Task.Run(WatchStdinAsync);
        }
    }

    public CancellationToken Token => cts.Token;

    public void Dispose()
    {
        terminate.Dispose();
        interrupt.Dispose();
        cts.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit on our own, after cleanup
        Console.Error.WriteLine($"received {context.Signal}, shutting down");
        cts.Cancel();
    }

    private async Task WatchStdinAsync()
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        while (await stdin.ReadAsync(buffer) > 0)
        {
        }

        Console.Error.WriteLine("stdin closed, shutting down");
        await cts.CancelAsync();
    }
}
