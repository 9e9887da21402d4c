using System.Diagnostics;
using System.Globalization;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// A current ClickHouse engine (chDB in server mode, run by Analytics.DevStack) in its own process, on
/// ephemeral loopback ports with a data directory in a temp dir. Its own process because chDB ends the whole
/// process if client connections are still open when it stops. User <c>default</c>, no password.
/// </summary>
public sealed class ClickHouseServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string workDirectory;
    private ChildProcess process;

    private ClickHouseServerProcess(ChildProcess process, string workDirectory, int httpPort, int tcpPort, TimeSpan startupTime)
    {
        this.process = process;
        this.workDirectory = workDirectory;
        HttpPort = httpPort;
        TcpPort = tcpPort;
        StartupTime = startupTime;
    }

    /// <summary>The HTTP interface port on 127.0.0.1.</summary>
    public int HttpPort { get; }

    /// <summary>The native protocol port on 127.0.0.1.</summary>
    public int TcpPort { get; }

    /// <summary>A ClickHouse.Driver connection string for the HTTP interface.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={HttpPort};Username=default;Password=;Database=default";

    /// <summary>The base URI of the HTTP interface, e.g. for /ping.</summary>
    public Uri HttpUri => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>The server's data directory (survives <see cref="RestartAsync"/>).</summary>
    public string DataPath => Path.Combine(workDirectory, "data");

    /// <summary>The server process's PID (changes on restart).</summary>
    public int Pid => process.Pid;

    /// <summary>Where the server's output is logged.</summary>
    public string LogPath => process.LogPath;

    /// <summary>How long the last start took until /ping answered.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Starts a server with an empty data directory.</summary>
    public static async Task<ClickHouseServerProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var dll = RepositoryPaths.DevStackDll;
        var lib = RepositoryPaths.ChdbLibrary;
        var workDirectory = Directory.CreateTempSubdirectory("analytics-it-clickhouse-").FullName;
        var started = Stopwatch.StartNew();
        var process = Launch(dll, lib, workDirectory, httpPort: 0, tcpPort: 0);
        try
        {
            var (http, tcp) = await WaitUntilReadyAsync(process, cancellationToken);
            return new ClickHouseServerProcess(process, workDirectory, http, tcp, started.Elapsed);
        }
        catch
        {
            await process.DisposeAsync();
            TempDirectory.TryDelete(workDirectory);
            throw;
        }
    }

    /// <summary>
    /// Stops with SIGTERM: chDB shuts down in order; written data survives. Takes up to about 5 s while
    /// clients still hold connections (idle HTTP ones are closed after 3 s).
    /// </summary>
    public Task StopAsync() => process.StopAsync(UnixSignals.Terminate, StopTimeout);

    /// <summary>Kills with SIGKILL, as a crash would.</summary>
    public Task KillAsync() => process.KillAsync();

    /// <summary>
    /// Stops the server if it still runs (SIGTERM) and starts it again on the same ports and data directory.
    /// Call <see cref="KillAsync"/> first to restart after a crash.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await process.DisposeAsync();
        var started = Stopwatch.StartNew();
        process = Launch(RepositoryPaths.DevStackDll, RepositoryPaths.ChdbLibrary, workDirectory, HttpPort, TcpPort);
        await WaitUntilReadyAsync(process, cancellationToken);
        StartupTime = started.Elapsed;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await process.DisposeAsync();
        TempDirectory.TryDelete(workDirectory);
    }

    private static ChildProcess Launch(string dll, string lib, string workDirectory, int httpPort, int tcpPort) =>
        ChildProcess.Start(
            "dotnet",
            [
                dll, "clickhouse", "--lib", lib, "--path", Path.Combine(workDirectory, "data"),
                "--http-port", httpPort.ToString(CultureInfo.InvariantCulture),
                "--tcp-port", tcpPort.ToString(CultureInfo.InvariantCulture),
                "--exit-on-stdin-close",
            ],
            Path.Combine(workDirectory, "clickhouse.log"));

    /// <summary>Parses "READY http=127.0.0.1:P tcp=127.0.0.1:Q".</summary>
    private static async Task<(int Http, int Tcp)> WaitUntilReadyAsync(ChildProcess process, CancellationToken cancellationToken)
    {
        var line = await process.WaitForStdoutLineAsync("READY ", ReadyTimeout, "ClickHouse (chDB) server", cancellationToken);
        var ports = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(field => field.Split('='))
            .ToDictionary(kv => kv[0], kv => int.Parse(kv[1][(kv[1].LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
        return (ports["http"], ports["tcp"]);
    }
}
