namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>One item of a shard (for sessions: one open session).</summary>
/// <param name="Key">The item's key, unique within its shard.</param>
/// <param name="Payload">The caller's encoded item.</param>
/// <param name="ActiveAt">When the item was last active (UTC; for sessions the event time of the latest event), used to find expired items.</param>
/// <param name="WrittenSeq">The caller's sequence number of the write that stored this version of the item.</param>
public sealed record ShardItem(string Key, byte[] Payload, DateTime ActiveAt, long WrittenSeq);
