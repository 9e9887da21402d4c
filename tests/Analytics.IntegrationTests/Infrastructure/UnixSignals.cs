using System.Runtime.InteropServices;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>Sends Unix signals by PID (Process.Kill only knows SIGKILL).</summary>
internal static class UnixSignals
{
    public const int Interrupt = 2;  // SIGINT
    public const int Kill = 9;       // SIGKILL
    public const int Terminate = 15; // SIGTERM

    public static void Send(int pid, int signal)
    {
        // ESRCH (3): the process is already gone, which is what the caller wants anyway.
        if (NativeKill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != 3)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeKill(int pid, int signal);
}
