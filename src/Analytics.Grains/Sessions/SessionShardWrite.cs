using Analytics.Persistence.Postgres.Sharded;

namespace Analytics.Grains.Sessions;

/// <summary>One incremental write of a session shard: the changed sessions, the forgotten ones and the new header.</summary>
/// <param name="Seq">The write's sequence number (stored with every session in it).</param>
/// <param name="Header">The encoded <see cref="SessionShardProgress"/>.</param>
/// <param name="Upserts">The sessions that changed since the previous write.</param>
/// <param name="Deletes">The ids of sessions to forget (tombstones past their retention).</param>
public sealed record SessionShardWrite(long Seq, byte[] Header, IReadOnlyCollection<ShardItem> Upserts, IReadOnlyCollection<string> Deletes);
