using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Analytics.Persistence.Postgres;

/// <summary>
/// Grain storage on PostgreSQL for high-rate state: writes (and reads) that many grains issue within
/// <see cref="BatchedGrainStorageOptions.MaxBatchDelay"/> go to the database as one statement in one round trip,
/// each row with its own version check, and each grain's call completes when its own row is durable (or fails
/// alone with <see cref="InconsistentStateException"/> when its version check fails). The ETag is the row's version.
/// The state is serialized when the write is called, so later changes of the grain's object are not part of it.
/// </summary>
internal sealed partial class BatchedGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly BatchedGrainStorageOptions _options;
    private readonly string _serviceId;
    private readonly BatchedStateSql _sql;
    private readonly IActivatorProvider _activators;
    private readonly BatchedStorageMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchedGrainStorage> _logger;
    private readonly RequestBatcher<StateWrite, int?> _writes;
    private readonly RequestBatcher<StateKey, StoredState?> _reads;
    private readonly KeyValuePair<string, object?>[] _writeTags;
    private readonly KeyValuePair<string, object?>[] _readTags;
    private long _writeRoundTrips;
    private long _readRoundTrips;

    /// <summary>Creates storage <paramref name="name"/>; it serves requests once its lifecycle stage started.</summary>
    public BatchedGrainStorage(
        string name, BatchedGrainStorageOptions options, IOptions<ClusterOptions> cluster, IActivatorProvider activators,
        BatchedStorageMetrics metrics, TimeProvider time, ILogger<BatchedGrainStorage> logger)
    {
        _name = name;
        _options = options;
        _serviceId = cluster.Value.ServiceId;
        _sql = new BatchedStateSql(options.TableName);
        _activators = activators;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _writeTags = [new("storage", name), new("operation", "write")];
        _readTags = [new("storage", name), new("operation", "read")];
        _writes = new(WriteBatchAsync, options.MaxBatchSize, options.MaxBatchDelay, options.MaxConcurrentBatches, time, w => w.Key);
        _reads = new(ReadBatchAsync, options.MaxBatchSize, options.MaxBatchDelay, options.MaxConcurrentBatches, time);
    }

    /// <summary>Round trips that carried writes so far (for tests and diagnostics).</summary>
    public long WriteRoundTrips => Interlocked.Read(ref _writeRoundTrips);

    /// <summary>Round trips that carried reads so far.</summary>
    public long ReadRoundTrips => Interlocked.Read(ref _readRoundTrips);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(BatchedGrainStorage)}-{_name}", _options.InitStage, StartAsync, StopAsync);

    /// <summary>Creates the table if needed and starts batching.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var create = new NpgsqlCommand(_sql.CreateTable, connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        _writes.Start();
        _reads.Start();
        LogStarted(_name, _options.TableName, _options.MaxBatchSize, _options.MaxBatchDelay.TotalMilliseconds);
    }

    /// <summary>Accepts no more requests and completes once the queued ones are done.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.WhenAll(_writes.StopAsync(), _reads.StopAsync());

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await _reads.SubmitAsync(KeyOf(stateName, grainId)).ConfigureAwait(false);
        if (stored is null)
        {
            grainState.State = _activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        grainState.State = _options.GrainStorageSerializer.Deserialize<T>(new BinaryData(stored.Payload));
        grainState.ETag = stored.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ParseETag(grainState.ETag, stateName, grainId);
        // Serialized now, on the caller's turn: the batch is sent later, and the grain may change its object meanwhile.
        var payload = _options.GrainStorageSerializer.Serialize(grainState.State).ToArray();
        var version = await _writes.SubmitAsync(new StateWrite(KeyOf(stateName, grainId), expected, payload)).ConfigureAwait(false);
        if (version is null)
        {
            _metrics.WriteConflicts.Add(1, _writeTags[0]);
            LogConflict(_name, stateName, grainId, grainState.ETag);
            throw new InconsistentStateException(
                $"Batched grain storage '{_name}': the stored version of {stateName} of {grainId} is not {grainState.ETag ?? "absent"} (written by another activation?).",
                "unknown", grainState.ETag ?? "");
        }
        grainState.ETag = version.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = KeyOf(stateName, grainId);
        var expected = ParseETag(grainState.ETag, stateName, grainId);
        if (expected is null)
        {
            // The grain knows of no row: fine if there is none, a conflict if another activation wrote one.
            if (await _reads.SubmitAsync(key).ConfigureAwait(false) is { } found)
                throw new InconsistentStateException($"Batched grain storage '{_name}': {stateName} of {grainId} exists although the grain has no ETag.",
                    found.Version.ToString(CultureInfo.InvariantCulture), "");
        }
        else if (!await DeleteAsync(key, expected.Value).ConfigureAwait(false))
        {
            throw new InconsistentStateException($"Batched grain storage '{_name}': {stateName} of {grainId} is not at version {grainState.ETag}.",
                "unknown", grainState.ETag!);
        }
        grainState.State = _activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private async Task<IReadOnlyList<int?>> WriteBatchAsync(IReadOnlyList<StateWrite> batch)
    {
        var started = _time.GetTimestamp();
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_sql.Write, connection);
        AddKeyParameters(command, batch.Select(w => w.Key).ToList());
        command.Parameters.Add(new NpgsqlParameter<int?[]>("version", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = batch.Select(w => w.ExpectedVersion).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("payload", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = batch.Select(w => w.Payload).ToArray() });
        var changed = new List<(int, int)>(batch.Count);
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false)) changed.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }
        Interlocked.Increment(ref _writeRoundTrips);
        Record(_writeTags, batch.Count, started);
        return WriteOutcomes.Map(batch.Count, changed);
    }

    private async Task<IReadOnlyList<StoredState?>> ReadBatchAsync(IReadOnlyList<StateKey> batch)
    {
        var started = _time.GetTimestamp();
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_sql.Read, connection);
        AddKeyParameters(command, batch);
        var results = new StoredState?[batch.Count];
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
                results[reader.GetInt32(0)] = new StoredState(reader.GetInt32(1), reader.GetFieldValue<byte[]>(2));
        }
        Interlocked.Increment(ref _readRoundTrips);
        Record(_readTags, batch.Count, started);
        return results;
    }

    private async Task<bool> DeleteAsync(StateKey key, int version)
    {
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_sql.Delete, connection);
        command.Parameters.AddWithValue("service_id", _serviceId);
        command.Parameters.AddWithValue("grain_type", key.GrainType);
        command.Parameters.AddWithValue("grain_key", key.GrainKey);
        command.Parameters.AddWithValue("state_name", key.StateName);
        command.Parameters.AddWithValue("version", version);
        return await command.ExecuteScalarAsync().ConfigureAwait(false) is not null;
    }

    private void AddKeyParameters(NpgsqlCommand command, IReadOnlyList<StateKey> keys)
    {
        command.Parameters.AddWithValue("service_id", _serviceId);
        command.Parameters.Add(new NpgsqlParameter<int[]>("idx", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = Enumerable.Range(0, keys.Count).ToArray() });
        command.Parameters.Add(TextArray("grain_type", keys.Select(k => k.GrainType)));
        command.Parameters.Add(TextArray("grain_key", keys.Select(k => k.GrainKey)));
        command.Parameters.Add(TextArray("state_name", keys.Select(k => k.StateName)));
    }

    private static NpgsqlParameter<string[]> TextArray(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values.ToArray() };

    private void Record(KeyValuePair<string, object?>[] tags, int rows, long started)
    {
        _metrics.BatchRows.Record(rows, tags);
        _metrics.BatchDuration.Record(_time.GetElapsedTime(started).TotalMilliseconds, tags);
    }

    // A plain pooled connection: it shares Npgsql's pool for this connection string with Orleans' ADO.NET
    // providers, so the silo's PostgreSQL connections stay within one "Maximum Pool Size".
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_options.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static StateKey KeyOf(string stateName, GrainId grainId) => new(grainId.Type.ToString()!, grainId.Key.ToString()!, stateName);

    private int? ParseETag(string? etag, string stateName, GrainId grainId) =>
        string.IsNullOrEmpty(etag) ? null
        : int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version
        : throw new InconsistentStateException($"Batched grain storage '{_name}': ETag '{etag}' of {stateName} of {grainId} is not a version number.", "unknown", etag);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batched grain storage {Name} on table {Table}: batches of up to {MaxBatchSize} rows, waiting up to {MaxBatchDelayMs} ms.")]
    private partial void LogStarted(string name, string table, int maxBatchSize, double maxBatchDelayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batched grain storage {Name}: writing {StateName} of {GrainId} lost its version check (ETag {ETag}).")]
    private partial void LogConflict(string name, string stateName, GrainId grainId, string? etag);
}
