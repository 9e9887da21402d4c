using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.ClickHouse.Writing;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Utility;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.ClickHouse.Schema;

/// <summary>
/// Creates and migrates the analytics database: applies the versioned steps not yet recorded in
/// <c>schema_migrations</c>, reconciles the raw tables' TTLs with the options, and checks that the live columns are
/// the ones the writers send. Idempotent and safe to run from several processes at once.
/// </summary>
public sealed class ClickHouseSchemaMigrator
{
    private readonly ClickHouseClient client;
    private readonly ClickHouseOptions options;
    private readonly ILogger<ClickHouseSchemaMigrator> logger;

    /// <summary>Creates a migrator.</summary>
    /// <param name="client">The process-wide ClickHouse client.</param>
    /// <param name="options">The ClickHouse options (database, TTLs, timeouts).</param>
    /// <param name="logger">The logger.</param>
    public ClickHouseSchemaMigrator(ClickHouseClient client, IOptions<ClickHouseOptions> options, ILogger<ClickHouseSchemaMigrator> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.options = options.Value;
        this.logger = logger;
    }

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => SchemaMigrations.LatestVersion;

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/>. Throws the driver's exceptions unchanged (classify them
    /// with <see cref="ClickHouseErrorClassifier.IsTransient"/>), or <see cref="InvalidOperationException"/> when the
    /// live columns differ from what the writers send.
    /// </summary>
    /// <param name="cancellationToken">Cancels the migration between statements.</param>
    /// <returns>The resulting version and the versions applied by this call.</returns>
    public async Task<SchemaMigrationResult> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var db = options.Database;

        // Run from `default`: the connection string may name the very database that does not exist yet.
        await ExecuteAsync($"CREATE DATABASE IF NOT EXISTS `{db}`", cancellationToken, currentDatabase: "default").ConfigureAwait(false);
        await ExecuteAsync(SchemaMigrations.CreateMigrationsTable(db), cancellationToken).ConfigureAwait(false);

        var applied = await ReadAppliedVersionsAsync(cancellationToken).ConfigureAwait(false);
        var current = applied.Count == 0 ? 0 : applied.Max();
        if (current > LatestVersion)
        {
            Log.SchemaNewerThanCode(logger, db, current, LatestVersion);
        }

        var appliedNow = new List<int>();
        foreach (var migration in SchemaMigrations.All)
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }

            Log.ApplyingMigration(logger, migration.Version, migration.Name, db);
            foreach (var statement in migration.Statements(db))
            {
                await ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
            }

            await RecordVersionAsync(migration, cancellationToken).ConfigureAwait(false);
            appliedNow.Add(migration.Version);
        }

        await ReconcileTtlsAsync(cancellationToken).ConfigureAwait(false);
        await VerifyColumnsAsync(cancellationToken).ConfigureAwait(false);

        var version = Math.Max(current, LatestVersion);
        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log.SchemaReady(logger, db, version, appliedNow.Count, elapsedMs);
        return new SchemaMigrationResult(version, appliedNow);
    }

    private async Task<HashSet<int>> ReadAppliedVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        using var timeout = StartTimeout(cancellationToken);
        using var reader = await client.ExecuteReaderAsync(
            $"SELECT DISTINCT version FROM {Sql.Table(options.Database, ClickHouseTables.SchemaMigrations)}",
            cancellationToken: timeout.Token).ConfigureAwait(false);
        while (reader.Read())
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return versions;
    }

    private async Task RecordVersionAsync(SchemaMigration migration, CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("version", migration.Version);
        parameters.AddParameter("name", migration.Name);
        await ExecuteAsync(
            $"INSERT INTO {Sql.Table(options.Database, ClickHouseTables.SchemaMigrations)} (version, name, applied_at) " +
            "SELECT {version:UInt32}, {name:String}, now64(3)",
            cancellationToken,
            parameters).ConfigureAwait(false);
    }

    private async Task ReconcileTtlsAsync(CancellationToken cancellationToken)
    {
        foreach (var policy in TtlPolicy.From(options))
        {
            var current = await ReadTtlAsync(policy.Table, cancellationToken).ConfigureAwait(false);
            if (string.Equals(current, policy.Expression, StringComparison.Ordinal))
            {
                continue;
            }

            var table = Sql.Table(options.Database, policy.Table);
            if (policy.Expression is null)
            {
                Log.ChangingTtl(logger, policy.Table, "none");
                await ExecuteAsync($"ALTER TABLE {table} REMOVE TTL", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Log.ChangingTtl(logger, policy.Table, policy.Expression);
                await ExecuteAsync($"ALTER TABLE {table} MODIFY TTL {policy.Expression}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The table's TTL expression as the server prints it, or <see langword="null"/> when it has none.</summary>
    private async Task<string?> ReadTtlAsync(string table, CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("db", options.Database);
        parameters.AddParameter("table", table);
        using var timeout = StartTimeout(cancellationToken);
        var engine = await client.ExecuteScalarAsync(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {table:String}",
            parameters,
            cancellationToken: timeout.Token).ConfigureAwait(false) as string ?? "";

        // engine_full reads "... ORDER BY (...) TTL <expression> SETTINGS ...".
        const string ttlMarker = " TTL ";
        var start = engine.IndexOf(ttlMarker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += ttlMarker.Length;
        var end = engine.IndexOf(" SETTINGS ", start, StringComparison.Ordinal);
        return (end < 0 ? engine[start..] : engine[start..end]).Trim();
    }

    private async Task VerifyColumnsAsync(CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("db", options.Database);
        var live = new Dictionary<(string Table, string Column), string>();
        using (var timeout = StartTimeout(cancellationToken))
        using (var reader = await client.ExecuteReaderAsync(
            "SELECT table, name, type FROM system.columns WHERE database = {db:String}",
            parameters,
            cancellationToken: timeout.Token).ConfigureAwait(false))
        {
            while (reader.Read())
            {
                live[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
            }
        }

        var problems = new StringBuilder();
        foreach (var (table, columns) in TableWriters.ColumnTypesByTable)
        {
            foreach (var (column, type) in columns)
            {
                if (!live.TryGetValue((table, column), out var liveType))
                {
                    problems.Append(CultureInfo.InvariantCulture, $" {table}.{column} is missing;");
                }
                else if (!string.Equals(liveType, type, StringComparison.Ordinal))
                {
                    problems.Append(CultureInfo.InvariantCulture, $" {table}.{column} is {liveType}, expected {type};");
                }
            }
        }

        if (problems.Length > 0)
        {
            throw new InvalidOperationException(
                $"The ClickHouse schema of database '{options.Database}' does not match what this build writes:{problems}");
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, ClickHouseParameterCollection? parameters = null, string? currentDatabase = null)
    {
        using var timeout = StartTimeout(cancellationToken);
        var queryOptions = new QueryOptions
        {
            Database = currentDatabase,
            CustomSettings = new Dictionary<string, object>(StringComparer.Ordinal) { ["async_insert"] = 0 },
        };
        await client.ExecuteNonQueryAsync(sql, parameters, queryOptions, timeout.Token).ConfigureAwait(false);
    }

    private CancellationTokenSource StartTimeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.QueryTimeout);
        return timeout;
    }
}
