using System.Runtime.InteropServices;

namespace Analytics.DevStack.ClickHouse;

/// <summary>
/// ClickHouse's HTTP and native listeners, run by chDB's clickhouse-local entry point. The listeners live
/// only while its command line is executing, so the command line ends with a query that blocks until killed.
/// </summary>
internal sealed class ChdbServer
{
    /// <summary>The blocking query's id, so <see cref="ClickHouseCommand"/> can end it with KILL QUERY.</summary>
    public const string BlockerQueryId = "devstack-listeners";

    private readonly TaskCompletionSource<string?> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when chDB returns: null after a normal end, otherwise its error text.</summary>
    public Task<string?> Exited => exited.Task;

    public void Start(string dataPath, int httpPort, int tcpPort)
    {
        string[] args =
        [
            "clickhouse",
            $"--path={dataPath}",
            "--listen_host=127.0.0.1",
            $"--http_port={httpPort}",
            $"--tcp_port={tcpPort}",
            // Lifts the 3 s per-block cap of sleep functions, for our blocker and for tests.
            "--function_sleep_max_microseconds_per_block=0",
            $"--query_id={BlockerQueryId}",
            // One second per row and one row per block: KILL QUERY is noticed within about a second.
            "--query=SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; " +
            "SELECT sleepEachRow(1) FROM numbers(1000000000000) SETTINGS max_block_size = 1 FORMAT Null",
            // Server config overrides follow "--". On stop, chDB waits about 5 s for client connections to end
            // and then calls _exit(1); an idle HTTP keep-alive connection only ends after keep_alive_timeout
            // (30 s by default), so keep that below 5 s. (shutdown_wait_unfinished did not lengthen the wait.)
            "--",
            "--keep_alive_timeout=3",
        ];

        // A dedicated thread with a large stack: the call blocks for the server's whole life and runs
        // ClickHouse's query pipeline, which expects native-sized stacks.
        var thread = new Thread(() => Run(args), maxStackSize: 64 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "chdb-server",
        };
        thread.Start();
    }

    private void Run(string[] args)
    {
        var argv = args.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        try
        {
            var result = ChdbNative.QueryCommandLine(argv.Length, argv);
            string? error = result == IntPtr.Zero ? "chdb_query_cmdline returned no result" : null;
            if (result != IntPtr.Zero)
            {
                var errorText = ChdbNative.ResultError(result);
                error = errorText == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(errorText);
                ChdbNative.DestroyQueryResult(result);
            }

            exited.TrySetResult(string.IsNullOrWhiteSpace(error) ? null : error.Trim());
        }
        catch (Exception e)
        {
            exited.TrySetResult(e.Message);
        }
        finally
        {
            foreach (var arg in argv)
            {
                Marshal.FreeCoTaskMem(arg);
            }
        }
    }
}
