using System.Diagnostics;

namespace Analytics.DevStack.ClickHouse;

/// <summary>
/// <c>clickhouse</c>: a current ClickHouse engine (chDB) serving HTTP and native TCP on loopback, with its
/// data in --path so it survives restarts.
/// </summary>
internal static class ClickHouseCommand
{
    private static readonly TimeSpan ReadinessDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var httpPort = options.GetInt("http-port", 8123, 0, 65535);
        var tcpPort = options.GetInt("tcp-port", 9000, 0, 65535);
        var dataPath = options.GetString("path") ?? throw new DevStackException("--path DIR is required", ExitCodes.Usage);
        var lib = ChdbLibrary.Locate(options.GetString("lib"));
        var exitOnStdinClose = options.GetSwitch("exit-on-stdin-close");
        options.ThrowIfUnused();

        using var shutdown = new ShutdownSignal(exitOnStdinClose);
        var started = Stopwatch.StartNew();

        // chDB binds the ports itself; checking first turns a taken port into a clear message.
        httpPort = Ports.ResolveFree(httpPort, "clickhouse http");
        tcpPort = Ports.ResolveFree(tcpPort, "clickhouse tcp");
        if (httpPort == tcpPort)
        {
            tcpPort = Ports.ResolveFree(0, "clickhouse tcp");
        }

        Directory.CreateDirectory(dataPath);
        ChdbNative.Load(lib);
        ChdbNative.SetSignalHandlersEnabled(0);

        var server = new ChdbServer();
        server.Start(Path.GetFullPath(dataPath), httpPort, tcpPort);
        // Not cancelled by SIGTERM: chDB is running by now and must be stopped through StopAsync either way.
        await WaitUntilReadyAsync(server, httpPort);
        Console.Error.WriteLine($"clickhouse (chDB) ready in {started.ElapsedMilliseconds} ms, data in {Path.GetFullPath(dataPath)}");
        Console.Out.WriteLine($"READY http=127.0.0.1:{httpPort} tcp=127.0.0.1:{tcpPort}");
        Console.Out.Flush();

        var stopRequested = Task.Delay(Timeout.Infinite, shutdown.Token);
        if (await Task.WhenAny(stopRequested, server.Exited) == server.Exited)
        {
            throw new DevStackException($"chDB stopped on its own: {await server.Exited ?? "no error reported"}");
        }

        return await StopAsync(server, httpPort);
    }

    private static async Task WaitUntilReadyAsync(ChdbServer server, int httpPort)
    {
        var deadline = Stopwatch.StartNew();
        while (!await ClickHouseHttp.PingAsync(httpPort, CancellationToken.None))
        {
            if (server.Exited.IsCompleted)
            {
                // chDB prints its own error to stderr and often returns no error text.
                var error = await server.Exited ?? "see chDB's message above";
                throw new DevStackException(
                    $"chDB exited before its listeners answered: {error}. \"Cannot lock file ... status\" means another " +
                    "server already uses this --path (one server per data directory).");
            }

            if (deadline.Elapsed > ReadinessDeadline)
            {
                throw new DevStackException($"chDB did not answer /ping on 127.0.0.1:{httpPort} within {ReadinessDeadline.TotalSeconds} s");
            }

            // Poll interval while the engine loads its metadata.
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>
    /// Ends the blocking query so chDB returns and shuts its listeners and storage down in order
    /// (parts already written are on disk either way).
    /// </summary>
    private static async Task<int> StopAsync(ChdbServer server, int httpPort)
    {
        var stopping = Stopwatch.StartNew();
        try
        {
            await ClickHouseHttp.ExecuteAsync(httpPort, $"KILL QUERY WHERE query_id = '{ChdbServer.BlockerQueryId}' ASYNC", TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or DevStackException)
        {
            await Console.Error.WriteLineAsync($"KILL QUERY failed ({e.Message}); exiting without waiting for chDB");
            return ExitCodes.Failure;
        }

        if (await Task.WhenAny(server.Exited, Task.Delay(StopDeadline)) != server.Exited)
        {
            await Console.Error.WriteLineAsync($"chDB did not stop within {StopDeadline.TotalSeconds} s; exiting anyway");
            return ExitCodes.Failure;
        }

        var error = await server.Exited;
        await Console.Error.WriteLineAsync($"clickhouse (chDB) stopped in {stopping.ElapsedMilliseconds} ms{(error is null ? string.Empty : ": " + error)}");
        return ExitCodes.Ok;
    }
}
