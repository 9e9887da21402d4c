namespace Analytics.ClickHouse;

/// <summary>
/// Settings of the ClickHouse analytics store, bound from the <c>ClickHouse</c> configuration section.
/// </summary>
public sealed class ClickHouseOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ClickHouse";

    /// <summary>
    /// The ClickHouse.Driver connection string (HTTP interface), e.g.
    /// <c>Host=127.0.0.1;Port=8123;Username=default;Password=</c>.
    /// Defaults to the local dev stack: <c>127.0.0.1:8123</c>, user <c>default</c>, no password.
    /// Statements name <see cref="Database"/> explicitly, so a <c>Database</c> key here only sets the client's
    /// default database for other users of the shared client.
    /// </summary>
    public string ConnectionString { get; set; } = "Host=127.0.0.1;Port=8123;Username=default;Password=";

    /// <summary>The database that holds the analytics tables. Defaults to <c>analytics</c>.</summary>
    public string Database { get; set; } = "analytics";

    /// <summary>
    /// Days to keep rows of <c>page_views</c> (by event time); 0 keeps them forever. Defaults to 30.
    /// Changing it alters the table's TTL at the next start-up.
    /// </summary>
    public int RawEventsTtlDays { get; set; } = 30;

    /// <summary>Days to keep rows of <c>late_events</c> (by detection time); 0 keeps them forever. Defaults to 30.</summary>
    public int LateEventsTtlDays { get; set; } = 30;

    /// <summary>Days to keep rows of <c>dead_letters</c> (by receive time); 0 keeps them forever. Defaults to 30.</summary>
    public int DeadLettersTtlDays { get; set; } = 30;

    /// <summary>
    /// The most rows sent in one INSERT. A larger write is split into chunks of this size, each with its own
    /// deduplication token derived from the caller's. Keep it stable across restarts: a retried write must be split
    /// the same way to be deduplicated. Defaults to 50,000; at most 1,000,000 (one ClickHouse insert block).
    /// </summary>
    public int MaxBatchRows { get; set; } = 50_000;

    /// <summary>
    /// How long one INSERT may take before it is abandoned as a transient failure (the retry, with the same
    /// token or version, is deduplicated if the server did finish it). Defaults to 30 seconds.
    /// </summary>
    public TimeSpan InsertTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one query or DDL statement may take. Defaults to 30 seconds.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an idle pooled HTTP connection to ClickHouse is kept for reuse. It must stay below the server's
    /// <c>keep_alive_timeout</c> (3 s on chDB and on servers before 23.11, 10 s after): a connection the server has
    /// already closed fails the next insert with "broken pipe" half-way through its body. Defaults to 2 seconds.
    /// </summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether the hosted service creates and migrates the schema at start-up. Defaults to <see langword="true"/>;
    /// turn it off in processes that only read, or where another process owns the schema.
    /// </summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// How long start-up keeps retrying, with backoff, while ClickHouse is unreachable before it fails.
    /// Defaults to 60 seconds.
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
