using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL 15 cluster in a temp directory, listening on an ephemeral port on 127.0.0.1 only, with
/// trust authentication (any password works). The held PID is the postmaster's, for crash tests.
/// </summary>
public sealed class PostgresServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string workDirectory;
    private ChildProcess process;

    private PostgresServerProcess(ChildProcess process, string workDirectory, int port)
    {
        this.process = process;
        this.workDirectory = workDirectory;
        Port = port;
    }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A connection string for the <c>postgres</c> database as the <c>postgres</c> superuser.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>The cluster's data directory (survives <see cref="RestartAsync"/>).</summary>
    public string DataPath => Path.Combine(workDirectory, "data");

    /// <summary>The postmaster's PID (changes on restart).</summary>
    public int Pid => process.Pid;

    /// <summary>Where the server's output is logged.</summary>
    public string LogPath => process.LogPath;

    /// <summary>How long the last start took until a query succeeded (initdb not included).</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Runs initdb in a new temp directory and starts the server.</summary>
    public static async Task<PostgresServerProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var bin = RepositoryPaths.PostgresBin;
        var workDirectory = Directory.CreateTempSubdirectory("analytics-it-postgres-").FullName;
        try
        {
            PostgresUser.TakeOwnership(workDirectory);
            await InitDbAsync(bin, workDirectory, cancellationToken);
        }
        catch
        {
            TempDirectory.TryDelete(workDirectory);
            throw;
        }

        var port = LoopbackPorts.Free();
        var server = new PostgresServerProcess(Launch(bin, workDirectory, port), workDirectory, port);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = "postgres",
            Database = database,
        }.ConnectionString;

    /// <summary>
    /// Creates database <paramref name="name"/> (letters, digits, underscores) and returns its connection
    /// string. With <paramref name="applyRepositorySchema"/>, also runs infra/postgres/*.sql in name order.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, bool applyRepositorySchema = false, CancellationToken cancellationToken = default)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException("Use letters, digits and underscores only.", nameof(name));
        }

        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = ConnectionStringFor(name);
        if (applyRepositorySchema)
        {
            await ApplyScriptsAsync(connectionString, Path.Combine(RepositoryPaths.Root, "infra", "postgres"), cancellationToken);
        }

        return connectionString;
    }

    /// <summary>Runs every *.sql file of <paramref name="directory"/> in name order, each in one transaction.</summary>
    public static async Task ApplyScriptsAsync(string connectionString, string directory, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var file in Directory.GetFiles(directory, "*.sql").Order(StringComparer.Ordinal))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(file, cancellationToken), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stops the server with SIGINT, PostgreSQL's "fast" shutdown (SIGTERM, "smart", would wait for every
    /// pooled client connection to close).
    /// </summary>
    public Task StopAsync() => process.StopAsync(UnixSignals.Interrupt, StopTimeout);

    /// <summary>
    /// Kills the postmaster with SIGKILL, as a crash would. Its backends notice and exit on their own; the
    /// next start runs crash recovery.
    /// </summary>
    public Task KillAsync() => process.KillAsync();

    /// <summary>Stops the server if it still runs and starts it again on the same port and data directory.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await process.DisposeAsync();
        process = Launch(RepositoryPaths.PostgresBin, workDirectory, Port);
        await WaitUntilReadyAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await process.DisposeAsync();
        TempDirectory.TryDelete(workDirectory);
    }

    private static async Task InitDbAsync(string bin, string workDirectory, CancellationToken cancellationToken)
    {
        var (fileName, arguments) = PostgresUser.Command(
            Path.Combine(bin, "initdb"),
            ["-D", Path.Combine(workDirectory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        await using var initdb = ChildProcess.Start(fileName, arguments, Path.Combine(workDirectory, "initdb.log"), workDirectory);
        var exitCode = await initdb.WaitForExitAsync(InitTimeout, "initdb", cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed with exit code {exitCode}:{Environment.NewLine}{initdb.Tail}");
        }
    }

    private static ChildProcess Launch(string bin, string workDirectory, int port)
    {
        // fsync=off: a killed process loses nothing that reached the OS page cache, so crash tests stay
        // meaningful; only a machine crash would need fsync. No Unix socket: TCP on 127.0.0.1 only. UTC like
        // the dev stack, so timestamps without a zone never depend on the machine's TZ.
        var (fileName, arguments) = PostgresUser.Command(
            Path.Combine(bin, "postgres"),
            [
                "-D", Path.Combine(workDirectory, "data"), "-p", port.ToString(CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "timezone=UTC",
            ]);
        return ChildProcess.Start(fileName, arguments, Path.Combine(workDirectory, "postgres.log"), workDirectory);
    }

    /// <summary>
    /// Retries a start that failed only because the killed server's backends had not exited yet; any other
    /// early exit (bad port, broken data directory) fails at once with the server's output.
    /// </summary>
    private async Task RelaunchAfterEarlyExitAsync()
    {
        var output = process.Tail;
        if (!output.Contains("pre-existing shared memory block", StringComparison.Ordinal)
            && !output.Contains("lock file", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"PostgreSQL exited during start-up:{Environment.NewLine}{output}");
        }

        await process.DisposeAsync();
        process = Launch(RepositoryPaths.PostgresBin, workDirectory, Port);
    }

    /// <summary>
    /// Polls with a real query until it succeeds. After a crash the first start can fail while the old
    /// backends still hold the shared memory, so an early exit is retried until the deadline.
    /// </summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                StartupTime = started.Elapsed;
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                if (started.Elapsed > ReadyTimeout)
                {
                    throw new TimeoutException($"PostgreSQL on port {Port} not ready within {ReadyTimeout.TotalSeconds} s. Output:{Environment.NewLine}{process.Tail}", e);
                }
            }

            if (process.HasExited)
            {
                await RelaunchAfterEarlyExitAsync();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken); // poll interval
        }
    }
}
