namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>A shard's own state and its version (incremented by every write; 0 before the first).</summary>
/// <param name="Version">The stored version; 0 when the shard was never written.</param>
/// <param name="Payload">The caller's encoded header; empty when the shard was never written.</param>
public sealed record ShardHeader(long Version, byte[] Payload)
{
    /// <summary>The header of a shard that was never written.</summary>
    public static ShardHeader None { get; } = new(0, []);
}
