using Analytics.Persistence.Postgres.Sharded;

namespace Analytics.Persistence.Postgres.Testing;

/// <summary>
/// An <see cref="IShardedStateStore"/> in memory for unit tests, with the PostgreSQL store's semantics: versions and
/// conflicts, all-or-nothing writes, the same argument checks, orderings and limits, and times stored as UTC
/// microseconds. Payloads are copied in and out, as a database would. Thread-safe. Tests can make the next write
/// fail (<see cref="FailNextWrite"/>) and count calls.
/// </summary>
public sealed class InMemoryShardedStateStore : IShardedStateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Shard> _shards = new(StringComparer.Ordinal);
    private Exception? _nextWriteFailure;
    private long _writes;
    private long _reads;
    private long _conflicts;

    /// <summary>Calls of <see cref="WriteAsync"/> so far, including those that failed.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Calls of the read methods so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Writes refused for a version conflict so far.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Makes the next <see cref="WriteAsync"/> throw <paramref name="failure"/> without storing anything (as a lost connection would).</summary>
    public void FailNextWrite(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        lock (_lock) _nextWriteFailure = failure;
    }

    /// <summary>How many items <paramref name="shard"/> holds now.</summary>
    public int CountItems(string shard)
    {
        lock (_lock) return _shards.TryGetValue(shard, out var s) ? s.Items.Count : 0;
    }

    /// <inheritdoc />
    public Task<ShardHeader> ReadHeaderAsync(string shard, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            return Task.FromResult(_shards.TryGetValue(shard, out var s) ? new ShardHeader(s.Version, [.. s.Header]) : ShardHeader.None);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardItem>> ReadItemsAsync(string shard, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(keys);
        return Read(shard, items => keys.Distinct(StringComparer.Ordinal)
            .Select(k => items.GetValueOrDefault(k)).OfType<ShardItem>().OrderBy(i => i.Key, StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardItem>> ReadItemsWrittenAfterAsync(string shard, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        ShardArguments.CheckLimit(limit);
        return Read(shard, items => items.Values.Where(i => i.WrittenSeq > afterSeq)
            .OrderBy(i => i.WrittenSeq).ThenBy(i => i.Key, StringComparer.Ordinal).Take(limit));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardItem>> ReadItemsActiveBeforeAsync(string shard, DateTime activeBefore, int limit, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        ShardArguments.CheckLimit(limit);
        var before = ShardArguments.ToStoredUtc(activeBefore);
        return Read(shard, items => items.Values.Where(i => i.ActiveAt < before)
            .OrderBy(i => i.ActiveAt).ThenBy(i => i.Key, StringComparer.Ordinal).Take(limit));
    }

    /// <inheritdoc />
    public Task<long> WriteAsync(
        string shard, long expectedVersion, byte[] header, IReadOnlyCollection<ShardItem> upserts, IReadOnlyCollection<string> deletes,
        CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckWrite(shard, expectedVersion, header, upserts, deletes);
        Interlocked.Increment(ref _writes);
        lock (_lock)
        {
            if (_nextWriteFailure is { } failure)
            {
                _nextWriteFailure = null;
                return Task.FromException<long>(failure);
            }
            var current = _shards.GetValueOrDefault(shard);
            if ((current?.Version ?? 0) != expectedVersion)
            {
                Interlocked.Increment(ref _conflicts);
                return Task.FromException<long>(new ShardVersionConflictException(shard, expectedVersion));
            }
            // Checks are done: from here on everything is applied, so the write is all-or-nothing.
            current ??= _shards[shard] = new Shard();
            current.Version++;
            current.Header = [.. header];
            foreach (var item in upserts)
                current.Items[item.Key] = item with { Payload = [.. item.Payload], ActiveAt = ShardArguments.ToStoredUtc(item.ActiveAt) };
            foreach (var key in deletes) current.Items.Remove(key);
            return Task.FromResult(current.Version);
        }
    }

    private Task<IReadOnlyList<ShardItem>> Read(string shard, Func<Dictionary<string, ShardItem>, IEnumerable<ShardItem>> select)
    {
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            IReadOnlyList<ShardItem> found = _shards.TryGetValue(shard, out var s)
                ? [.. select(s.Items).Select(i => i with { Payload = [.. i.Payload] })]
                : [];
            return Task.FromResult(found);
        }
    }

    private sealed class Shard
    {
        public long Version { get; set; }

        public byte[] Header { get; set; } = [];

        public Dictionary<string, ShardItem> Items { get; } = new(StringComparer.Ordinal);
    }
}
