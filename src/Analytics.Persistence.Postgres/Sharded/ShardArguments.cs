namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>
/// Argument checks and time normalisation shared by every <see cref="IShardedStateStore"/>, so the in-memory double
/// accepts and refuses exactly what the PostgreSQL store does.
/// </summary>
internal static class ShardArguments
{
    /// <summary>Checks a write before anything is sent: a bad write must fail whole, not halfway through a statement.</summary>
    /// <exception cref="ArgumentException">A key is upserted twice, or both upserted and deleted.</exception>
    public static void CheckWrite(string shard, long expectedVersion, byte[] header, IReadOnlyCollection<ShardItem> upserts, IReadOnlyCollection<string> deletes)
    {
        CheckShard(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        var upserted = new HashSet<string>(upserts.Count, StringComparer.Ordinal);
        foreach (var item in upserts)
        {
            if (item is null || item.Key is null || item.Payload is null)
                throw new ArgumentException("An upserted item, its key or its payload is null.", nameof(upserts));
            // PostgreSQL refuses to update one row twice in a statement; a caller sending a key twice has a bug anyway.
            if (!upserted.Add(item.Key))
                throw new ArgumentException($"Item '{item.Key}' of shard '{shard}' is upserted twice in one write.", nameof(upserts));
        }
        foreach (var key in deletes)
        {
            if (key is null) throw new ArgumentException("A deleted key is null.", nameof(deletes));
            // Which one should win is not defined by the contract: refuse rather than guess.
            if (upserted.Contains(key))
                throw new ArgumentException($"Item '{key}' of shard '{shard}' is both upserted and deleted in one write.", nameof(deletes));
        }
    }

    /// <summary>Checks a shard name.</summary>
    public static void CheckShard(string shard) => ArgumentException.ThrowIfNullOrEmpty(shard);

    /// <summary>Checks a read's limit.</summary>
    public static void CheckLimit(int limit) => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

    /// <summary>
    /// The instant as PostgreSQL's timestamptz stores it: UTC (Npgsql refuses other kinds; an unspecified kind is
    /// taken as UTC, a local one converted) and truncated to whole microseconds, so what is read back equals it.
    /// </summary>
    public static DateTime ToStoredUtc(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Utc => value,
            DateTimeKind.Local => value.ToUniversalTime(),
            _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        };
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }
}
