using Microsoft.Extensions.Logging;

namespace Analytics.ClickHouse;

/// <summary>The log messages of this project.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applying ClickHouse schema version {Version} ({Name}) to database {Database}")]
    public static partial void ApplyingMigration(ILogger logger, int version, string name, string database);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "ClickHouse schema of database {Database} is at version {Version} ({Applied} step(s) applied now, {ElapsedMs} ms)")]
    public static partial void SchemaReady(ILogger logger, string database, int version, int applied, long elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "ClickHouse database {Database} has schema version {Found}, newer than this build's {Known}; continuing without changes")]
    public static partial void SchemaNewerThanCode(ILogger logger, string database, int found, int known);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Changing TTL of {Table} to {Ttl}")]
    public static partial void ChangingTtl(ILogger logger, string table, string ttl);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "ClickHouse at {Endpoint} not ready (attempt {Attempt}): {Error}. Retrying in {DelayMs} ms")]
    public static partial void ClickHouseNotReady(ILogger logger, string endpoint, int attempt, string error, long delayMs);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Insert of {Rows} row(s) into {Table} failed (transient: {Transient})")]
    public static partial void InsertFailed(ILogger logger, Exception exception, string table, int rows, bool transient);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Inserted {Rows} row(s) into {Table} in {ElapsedMs} ms")]
    public static partial void Inserted(ILogger logger, string table, int rows, long elapsedMs);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "ClickHouse schema migration at start-up is disabled (ClickHouse:MigrateOnStartup=false)")]
    public static partial void MigrationDisabled(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Query on {Table} failed (transient: {Transient})")]
    public static partial void QueryFailed(ILogger logger, Exception exception, string table, bool transient);
}
