namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>
/// Durable state of a grain that owns many small items, such as the open sessions of one session shard. The
/// shard has a header (its own state: applied offsets, sequence numbers) and items written incrementally: a
/// write sends only the items that changed, together with the new header, as one atomic unit guarded by the
/// header's version. A grain therefore persists per batch at a cost that follows what changed, not what it holds.
/// </summary>
public interface IShardedStateStore
{
    /// <summary>
    /// Reads the header of <paramref name="shard"/>; <see cref="ShardHeader.None"/> (version 0) when it has never been written.
    /// </summary>
    Task<ShardHeader> ReadHeaderAsync(string shard, CancellationToken cancellationToken = default);

    /// <summary>Reads the items of <paramref name="shard"/> with the given keys; missing keys are left out.</summary>
    Task<IReadOnlyList<ShardItem>> ReadItemsAsync(string shard, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="limit"/> items of <paramref name="shard"/> whose <see cref="ShardItem.WrittenSeq"/> is
    /// greater than <paramref name="afterSeq"/>, lowest sequence first.
    /// </summary>
    Task<IReadOnlyList<ShardItem>> ReadItemsWrittenAfterAsync(string shard, long afterSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="limit"/> items of <paramref name="shard"/> whose <see cref="ShardItem.ActiveAt"/> is
    /// before <paramref name="activeBefore"/>, oldest first.
    /// </summary>
    Task<IReadOnlyList<ShardItem>> ReadItemsActiveBeforeAsync(string shard, DateTime activeBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically replaces the header (only if its stored version is <paramref name="expectedVersion"/>; 0 means
    /// "never written"), upserts <paramref name="upserts"/> and deletes <paramref name="deletes"/>. Either all of it
    /// is stored or none. Returns the header's new version.
    /// </summary>
    /// <exception cref="ShardVersionConflictException">The stored header's version is not <paramref name="expectedVersion"/>
    /// (another activation wrote the shard); nothing was stored.</exception>
    Task<long> WriteAsync(
        string shard, long expectedVersion, byte[] header, IReadOnlyCollection<ShardItem> upserts, IReadOnlyCollection<string> deletes,
        CancellationToken cancellationToken = default);
}
