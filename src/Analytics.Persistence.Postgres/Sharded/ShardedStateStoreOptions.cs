namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>
/// Options of the PostgreSQL sharded state store (see <see cref="PostgresShardedStateStore"/>). Validation messages
/// name the settings under <see cref="SectionName"/>.
/// </summary>
public sealed class ShardedStateStoreOptions
{
    /// <summary>The configuration section these options are bound from (shared with the batched grain storage).</summary>
    public const string SectionName = "StateStorage";

    /// <summary>The Npgsql connection string. Required; never logged.</summary>
    [Redact]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The Orleans ServiceId: clusters sharing a database keep their shards apart. When registered with
    /// <c>AddPostgresShardedStateStore</c> and left empty, the silo's <c>ClusterOptions.ServiceId</c> is used.
    /// </summary>
    public string ServiceId { get; set; } = "";

    /// <summary>Which kind of shards this store holds (for example <c>sessions</c>); stores with other names share the tables without seeing each other. Defaults to <c>sessions</c>.</summary>
    public string StoreName { get; set; } = "sessions";

    /// <summary>
    /// The prefix of the tables <c>{prefix}_headers</c> and <c>{prefix}_items</c> (created at start-up if missing).
    /// Lower-case letters, digits and underscores, at most 48 characters. Defaults to <c>analytics_shard</c>.
    /// </summary>
    public string TablePrefix { get; set; } = "analytics_shard";
}
