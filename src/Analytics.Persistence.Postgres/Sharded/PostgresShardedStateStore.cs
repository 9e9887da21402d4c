using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>
/// <see cref="IShardedStateStore"/> on PostgreSQL: a header table and an item table keyed by (service, store, shard),
/// every call one statement in one round trip. A write of any number of items sends them as arrays and gates the
/// item changes on the header's version check inside the same statement, so it is atomic without a transaction
/// round trip. Call <see cref="InitializeAsync"/> once before use (the silo registration does it at start-up).
/// </summary>
public sealed partial class PostgresShardedStateStore : IShardedStateStore, IAsyncDisposable, IDisposable
{
    private readonly ShardedStateStoreOptions _options;
    private readonly ShardedStateSql _sql;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ShardedStateStoreMetrics _metrics;
    private readonly ILogger<PostgresShardedStateStore> _logger;
    private readonly KeyValuePair<string, object?> _storeTag;
    private readonly KeyValuePair<string, object?>[] _writeTags;
    private readonly KeyValuePair<string, object?>[] _readTags;

    /// <summary>Creates the store and its connection pool; it opens no connection until used.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public PostgresShardedStateStore(IOptions<ShardedStateStoreOptions> options, ShardedStateStoreMetrics metrics, ILogger<PostgresShardedStateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        // Constructed directly (tests, tools) the options have not been through the registered validator.
        var validation = new ShardedStateStoreOptionsValidator().Validate(null, _options);
        if (validation.Failed)
            throw new OptionsValidationException(nameof(ShardedStateStoreOptions), typeof(ShardedStateStoreOptions), validation.Failures);
        _sql = new ShardedStateSql(_options.TablePrefix);
        _metrics = metrics;
        _logger = logger;
        _storeTag = new("store", _options.StoreName);
        _writeTags = [_storeTag, new("operation", "write")];
        _readTags = [_storeTag, new("operation", "read")];
        var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
        // The same few statements run several times a second per shard: prepared, they skip parsing and planning.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        _dataSource = builder.Build();
    }

    /// <summary>Creates the tables and the index if missing; safe to run from several processes at once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var create = new NpgsqlCommand(_sql.CreateTables, connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        LogInitialized(_options.StoreName, _options.TablePrefix);
    }

    /// <inheritdoc />
    public async Task<ShardHeader> ReadHeaderAsync(string shard, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        var started = Stopwatch.GetTimestamp();
        await using var command = ShardCommand(_sql.ReadHeader, shard);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var header = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new ShardHeader(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1))
            : ShardHeader.None;
        RecordDuration(_readTags, started);
        return header;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardItem>> ReadItemsAsync(string shard, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return Task.FromResult<IReadOnlyList<ShardItem>>([]);
        var command = ShardCommand(_sql.ReadItems, shard);
        command.Parameters.Add(TextArray("keys", keys));
        return ReadItemsAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardItem>> ReadItemsWrittenAfterAsync(string shard, long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        ShardArguments.CheckLimit(limit);
        var command = ShardCommand(_sql.ReadItemsWrittenAfter, shard);
        command.Parameters.Add(new NpgsqlParameter<long>("after_seq", NpgsqlDbType.Bigint) { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        return ReadItemsAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ShardItem>> ReadItemsActiveBeforeAsync(string shard, DateTime activeBefore, int limit, CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckShard(shard);
        ShardArguments.CheckLimit(limit);
        var command = ShardCommand(_sql.ReadItemsActiveBefore, shard);
        command.Parameters.Add(new NpgsqlParameter<DateTime>("before", NpgsqlDbType.TimestampTz) { TypedValue = ShardArguments.ToStoredUtc(activeBefore) });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        return ReadItemsAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> WriteAsync(
        string shard, long expectedVersion, byte[] header, IReadOnlyCollection<ShardItem> upserts, IReadOnlyCollection<string> deletes,
        CancellationToken cancellationToken = default)
    {
        ShardArguments.CheckWrite(shard, expectedVersion, header, upserts, deletes);
        var started = Stopwatch.GetTimestamp();
        var keys = new string[upserts.Count];
        var payloads = new byte[upserts.Count][];
        var activeAt = new DateTime[upserts.Count];
        var writtenSeq = new long[upserts.Count];
        var i = 0;
        foreach (var item in upserts)
        {
            keys[i] = item.Key;
            payloads[i] = item.Payload;
            activeAt[i] = ShardArguments.ToStoredUtc(item.ActiveAt);
            writtenSeq[i++] = item.WrittenSeq;
        }

        await using var command = ShardCommand(_sql.Write, shard);
        command.Parameters.Add(new NpgsqlParameter<long>("expected", NpgsqlDbType.Bigint) { TypedValue = expectedVersion });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("header", NpgsqlDbType.Bytea) { TypedValue = header });
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = keys });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = payloads });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("active_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = activeAt });
        command.Parameters.Add(new NpgsqlParameter<long[]>("written_seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = writtenSeq });
        command.Parameters.Add(TextArray("deletes", deletes));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _metrics.WriteConflicts.Add(1, _storeTag);
            LogConflict(_options.StoreName, shard, expectedVersion);
            throw new ShardVersionConflictException(shard, expectedVersion);
        }
        var version = reader.GetInt64(0);
        _metrics.WriteItems.Record(upserts.Count + deletes.Count, _storeTag);
        RecordDuration(_writeTags, started);
        return version;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();

    private async Task<IReadOnlyList<ShardItem>> ReadItemsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using (command.ConfigureAwait(false))
        {
            var items = new List<ShardItem>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(new ShardItem(reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<DateTime>(2), reader.GetInt64(3)));
            }
            RecordDuration(_readTags, started);
            return items;
        }
    }

    // A data source command takes a pooled connection for its one statement and returns it when disposed.
    private NpgsqlCommand ShardCommand(string sql, string shard)
    {
        var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string>("service_id", NpgsqlDbType.Text) { TypedValue = _options.ServiceId });
        command.Parameters.Add(new NpgsqlParameter<string>("store", NpgsqlDbType.Text) { TypedValue = _options.StoreName });
        command.Parameters.Add(new NpgsqlParameter<string>("shard", NpgsqlDbType.Text) { TypedValue = shard });
        return command;
    }

    private static NpgsqlParameter<string[]> TextArray(string name, IReadOnlyCollection<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values as string[] ?? [.. values] };

    private void RecordDuration(KeyValuePair<string, object?>[] tags, long started) =>
        _metrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sharded state store {Store}: tables {TablePrefix}_headers and _items are ready.")]
    private partial void LogInitialized(string store, string tablePrefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sharded state store {Store}: writing shard {Shard} lost its version check (expected version {ExpectedVersion}); nothing was stored.")]
    private partial void LogConflict(string store, string shard, long expectedVersion);
}
