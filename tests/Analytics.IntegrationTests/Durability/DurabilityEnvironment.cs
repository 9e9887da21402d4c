using System.Diagnostics;
using System.Globalization;
using Analytics.IntegrationTests.Infrastructure;
using Npgsql;

namespace Analytics.IntegrationTests.Durability;

/// <summary>
/// Everything one durability test runs on, all its own: a Kafka-protocol broker with a unique topic, a ClickHouse
/// server with a unique database, a PostgreSQL server with a unique database carrying the repository's Orleans schema,
/// and <see cref="Silos"/> real silo processes in one cluster (ADO.NET clustering and grain storage on that
/// database). Disposal stops every process it started, by PID, also after a failed test; the log directory is kept
/// when the test did not call <see cref="MarkPassed"/> (or when ANALYTICS_KEEP_TEST_LOGS=1).
/// </summary>
public sealed class DurabilityEnvironment : IAsyncDisposable
{
    /// <summary>Partitions of the test topic (one Orleans queue each).</summary>
    public const int Partitions = 4;

    /// <summary>
    /// How late an event may arrive and still count in its window: the product default (10 s), not set for the
    /// silos. A crash makes the replayed events late by the time recovery takes (failure detection, partition
    /// hand-over, catching up); this is the slack that recovery must stay within for the totals to be exact.
    /// </summary>
    public static readonly TimeSpan AllowedLateness = new Analytics.Grains.PipelineOptions().AllowedLateness;

    /// <summary>PostgreSQL connections a silo may hold: siloCount x this stays below max_connections (100).</summary>
    public const int MaxPoolSizePerSilo = 20;

    /// <summary>Wall-clock grace after end + lateness at which a window becomes final without traffic.</summary>
    public static readonly TimeSpan WallClockGrace = TimeSpan.FromSeconds(1);

    private readonly List<SiloProcess> silos = [];
    private bool passed;

    private DurabilityEnvironment(string name)
    {
        Name = name;
        LogDirectory = Directory.CreateTempSubdirectory($"analytics-durability-{name}-").FullName;
    }

    /// <summary>The test's short name (used in topic, group and database names).</summary>
    public string Name { get; }

    /// <summary>Where the silos' logs are.</summary>
    public string LogDirectory { get; }

    public KafkaBrokerProcess Kafka { get; private set; } = null!;

    public ClickHouseServerProcess ClickHouse { get; private set; } = null!;

    public PostgresServerProcess Postgres { get; private set; } = null!;

    public ClickHouseHttp Sql { get; private set; } = null!;

    public string Topic { get; private set; } = "";

    public string ConsumerGroup { get; private set; } = "";

    public string Database { get; private set; } = "";

    public IReadOnlyList<SiloProcess> Silos => silos;

    /// <summary>The settings every silo of the test gets (before its ports), for the report and for messages.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    /// <summary>Starts the peers and <paramref name="siloCount"/> silos, and waits until every silo is healthy.</summary>
    public static async Task<DurabilityEnvironment> StartAsync(string name, int siloCount = 2)
    {
        var environment = new DurabilityEnvironment(name);
        try
        {
            await environment.InitializeAsync(siloCount);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(int siloCount)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        Topic = $"dur-{Name}-{suffix}";
        ConsumerGroup = $"dur-{Name}-{suffix}";
        Database = $"dur_{Name.Replace('-', '_')}_{suffix}";

        var kafka = KafkaBrokerProcess.StartAsync([Topic], Partitions);
        var clickHouse = ClickHouseServerProcess.StartAsync();
        var postgres = PostgresServerProcess.StartAsync();
        // Each start is awaited even if another failed, so DisposeAsync can stop whatever did start.
        try { Kafka = await kafka; } catch { await Task.WhenAll(Ignore(clickHouse), Ignore(postgres)); throw; }
        try { ClickHouse = await clickHouse; } catch { await Ignore(postgres); throw; }
        Postgres = await postgres;
        Sql = new ClickHouseHttp(ClickHouse.HttpUri);
        // Npgsql's default pool (100 connections per silo) alone can exhaust PostgreSQL's default max_connections
        // (100): a silo that took over all the work would lock out a restarted peer ("53300: too many clients").
        var postgresDatabase = new NpgsqlConnectionStringBuilder(await Postgres.CreateDatabaseAsync(Database, applyRepositorySchema: true))
        {
            MaxPoolSize = MaxPoolSizePerSilo,
        }.ConnectionString;

        Settings = SiloSettings(postgresDatabase);
        for (var i = 1; i <= siloCount; i++) silos.Add(new SiloProcess($"silo-{i}", Settings, LogDirectory));
        // The first silo creates the ClickHouse schema; starting the others meanwhile would race on it.
        await silos[0].StartAsync();
        await Task.WhenAll(silos.Skip(1).Select(s => s.StartAsync()));

        async Task Ignore<T>(Task<T> start) where T : IAsyncDisposable
        {
            try { await (await start).DisposeAsync(); }
            catch (Exception e) when (e is not OutOfMemoryException) { /* the first failure is the one reported */ }
        }
    }

    private Dictionary<string, string> SiloSettings(string postgresConnectionString) => new()
    {
        ["Silo:ClusterId"] = "dur-" + Name,
        ["Silo:ServiceId"] = "dur-" + Name,
        ["Silo:Clustering"] = "AdoNet",
        ["Silo:Persistence"] = "AdoNet",
        // Failure detection and Pipeline:AllowedLateness are the silo's defaults: what a deployment gets.
        ["ConnectionStrings:Postgres"] = postgresConnectionString,
        ["Kafka:BootstrapServers"] = Kafka.BootstrapServers,
        ["Kafka:Topic"] = Topic,
        ["Kafka:ConsumerGroup"] = ConsumerGroup,
        ["ClickHouse:ConnectionString"] = ClickHouse.ConnectionString,
        ["ClickHouse:Database"] = Database,
        ["Pipeline:WallClockGrace"] = Format(WallClockGrace),
        ["Pipeline:FlushInterval"] = "00:00:00.500",
        // A flush grain that died with rollups in memory is noticed after this; the page grains hand them over again.
        ["Pipeline:FlushAckTimeout"] = "00:00:05",
        ["Pipeline:IdlePartitionTimeout"] = "00:00:05",
        ["Archive:Interval"] = "00:00:00.250",
        ["Sessions:RowFlushInterval"] = "00:00:01",
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Orleans.Runtime.MembershipService"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
    };

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>Keeps nothing on disk after the test: call as the test's last statement.</summary>
    public void MarkPassed() => passed = true;

    /// <summary>The silos' log tails and where the full logs are, for failure messages.</summary>
    public string DescribeSilos() => string.Join(Environment.NewLine, silos.Select(s =>
        $"--- {s.Name} (running: {s.IsRunning}, log {s.LogPath}) ---{Environment.NewLine}{s.Tail}"));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        var stopping = Stopwatch.StartNew();
        // Silos first (they hold connections to the peers), in parallel; each by its own PID.
        await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        Sql?.Dispose();
        if (Kafka is not null) await Kafka.DisposeAsync();
        if (ClickHouse is not null) await ClickHouse.DisposeAsync();
        if (Postgres is not null) await Postgres.DisposeAsync();
        if (passed && Environment.GetEnvironmentVariable("ANALYTICS_KEEP_TEST_LOGS") != "1") TempDirectory.TryDelete(LogDirectory);
        else Console.Error.WriteLine($"durability test {Name}: silo logs kept in {LogDirectory} (teardown {stopping.Elapsed.TotalSeconds:0.0} s)");
    }
}
