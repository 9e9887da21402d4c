namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>A shard write found another version than it expected: another activation wrote the shard. Nothing was stored.</summary>
public sealed class ShardVersionConflictException(string shard, long expectedVersion)
    : Exception($"Shard '{shard}' is no longer at version {expectedVersion}: another activation wrote it; nothing was stored.")
{
    /// <summary>The shard.</summary>
    public string Shard { get; } = shard;

    /// <summary>The version the write expected.</summary>
    public long ExpectedVersion { get; } = expectedVersion;
}
