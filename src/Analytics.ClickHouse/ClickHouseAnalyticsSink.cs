using System.Diagnostics;
using Analytics.ClickHouse.Rows;
using Analytics.ClickHouse.Schema;
using Analytics.ClickHouse.Writing;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO.Parameters;
using ClickHouse.Driver.Compression;
using ClickHouse.Driver.Utility;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.ClickHouse;

/// <summary>
/// <see cref="IAnalyticsSink"/> over the process-wide <see cref="ClickHouseClient"/>: one RowBinary insert over HTTP
/// per call (per chunk above <see cref="ClickHouseOptions.MaxBatchRows"/>), synchronous on the server
/// (<c>async_insert=0</c>), with <c>insert_deduplication_token</c> on the append-only tables.
/// </summary>
internal sealed class ClickHouseAnalyticsSink : IAnalyticsSink
{
    private readonly ClickHouseClient client;
    private readonly ClickHouseOptions options;
    private readonly ClickHouseSinkMetrics metrics;
    private readonly ILogger<ClickHouseAnalyticsSink> logger;

    public ClickHouseAnalyticsSink(
        ClickHouseClient client,
        IOptions<ClickHouseOptions> options,
        ClickHouseSinkMetrics metrics,
        ILogger<ClickHouseAnalyticsSink> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.client = client;
        this.options = options.Value;
        this.metrics = metrics;
        this.logger = logger;
    }

    public Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.RawEvents, rows, RequireToken(deduplicationToken), cancellationToken);

    public Task WriteLateEventsAsync(IReadOnlyList<LateEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.LateEvents, rows, RequireToken(deduplicationToken), cancellationToken);

    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.DeadLetters, rows, RequireToken(deduplicationToken), cancellationToken);

    public Task WritePageMinutesAsync(IReadOnlyList<PageMinuteRow> rows, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.PageMinutes, rows, deduplicationToken: null, cancellationToken);

    public Task WriteSessionsAsync(IReadOnlyList<SessionRow> rows, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.Sessions, rows, deduplicationToken: null, cancellationToken);

    public Task WriteSessionMinutesAsync(IReadOnlyList<SessionMinuteRow> rows, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.SessionMinutes, rows, deduplicationToken: null, cancellationToken);

    public Task WriteAnomaliesAsync(IReadOnlyList<AnomalyRow> rows, CancellationToken cancellationToken = default) =>
        InsertAsync(TableWriters.Anomalies, rows, deduplicationToken: null, cancellationToken);

    public async Task<IReadOnlyDictionary<int, ArchivedOffsets>> GetArchivedOffsetsAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(partitions);
        var result = partitions.Distinct().ToDictionary(p => p, _ => default(ArchivedOffsets));
        if (result.Count == 0)
        {
            return result;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(result.Keys.Min(), nameof(partitions));

        // Per table, because the two are separate inserts: a crash between them leaves one ahead of the other. The
        // page_views projection (offsets_by_partition) answers its half without a scan; dead_letters is ordered by
        // partition and offset. Partitions are integers, so they are inlined.
        var db = options.Database;
        var inList = string.Join(',', result.Keys.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var sql = $$"""
            SELECT 'events' AS source, kafka_partition, max(kafka_offset) AS o FROM {{Sql.Table(db, ClickHouseTables.PageViews)}}
            WHERE kafka_topic = {topic:String} AND kafka_partition IN ({{inList}}) GROUP BY kafka_partition
            UNION ALL
            SELECT 'dead_letters' AS source, kafka_partition, max(kafka_offset) AS o FROM {{Sql.Table(db, ClickHouseTables.DeadLetters)}}
            WHERE kafka_topic = {topic:String} AND kafka_partition IN ({{inList}}) GROUP BY kafka_partition
            """;
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("topic", topic);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.QueryTimeout);
        try
        {
            using var reader = await client.ExecuteReaderAsync(sql, parameters, cancellationToken: timeout.Token).ConfigureAwait(false);
            while (reader.Read())
            {
                var partition = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                var max = Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture);
                var known = result[partition];
                result[partition] = (string)reader.GetValue(0) == "events" ? known with { Events = max } : known with { DeadLetters = max };
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var transient = ClickHouseErrorClassifier.IsTransient(ex);
            Log.QueryFailed(logger, ex, ClickHouseTables.PageViews, transient);
            throw new AnalyticsSinkException(
                $"Reading the highest archived offsets of {topic} partitions {inList} failed: {ex.Message}", ClickHouseTables.PageViews, transient, ex);
        }
    }

    public async Task RefreshSessionMinutesAsync(TimeSpan lookback, TimeSpan inactivityTimeout, CancellationToken cancellationToken = default)
    {
        var db = options.Database;
        // Each session is expanded to the minutes it was active in (arrayJoin), then grouped per minute.
        var sql = $$"""
            INSERT INTO {{Sql.Table(db, ClickHouseTables.Sessions1m)}}
                (minute, active_sessions, new_sessions, closed_sessions, avg_duration_ms, bounce_rate, version)
            SELECT
                minute,
                count() AS active_sessions,
                countIf(toStartOfMinute(started_at) = minute) AS new_sessions,
                countIf(toStartOfMinute(ended_at) = minute AND ended_at < now64(3) - toIntervalSecond({timeout:UInt32})) AS closed_sessions,
                if(new_sessions = 0, 0, avgIf(duration_ms, toStartOfMinute(started_at) = minute)) AS avg_duration_ms,
                if(new_sessions = 0, 0, avgIf(is_bounce, toStartOfMinute(started_at) = minute)) AS bounce_rate,
                toUInt64(toUnixTimestamp64Milli(now64(3))) AS version
            FROM
            (
                SELECT started_at, ended_at, duration_ms, is_bounce,
                       arrayJoin(arrayMap(i -> toStartOfMinute(started_at) + toIntervalMinute(i),
                           range(toUInt32(dateDiff('minute', toStartOfMinute(started_at), toStartOfMinute(ended_at)) + 1)))) AS minute
                FROM {{Sql.Table(db, ClickHouseTables.Sessions)}} FINAL
                WHERE ended_at >= now64(3) - toIntervalSecond({lookback:UInt32})
            )
            WHERE minute >= toStartOfMinute(now64(3) - toIntervalSecond({lookback:UInt32}))
            GROUP BY minute
            """;
        var parameters = new ClickHouseParameterCollection();
        parameters.AddParameter("timeout", (uint)inactivityTimeout.TotalSeconds);
        parameters.AddParameter("lookback", (uint)lookback.TotalSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.QueryTimeout);
        try
        {
            var queryOptions = new QueryOptions { CustomSettings = new Dictionary<string, object>(StringComparer.Ordinal) { ["async_insert"] = 0 } };
            await client.ExecuteNonQueryAsync(sql, parameters, queryOptions, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var transient = ClickHouseErrorClassifier.IsTransient(ex);
            Log.QueryFailed(logger, ex, ClickHouseTables.Sessions1m, transient);
            throw new AnalyticsSinkException($"Refreshing {ClickHouseTables.Sessions1m} failed: {ex.Message}", ClickHouseTables.Sessions1m, transient, ex);
        }
    }

    private static string RequireToken(string deduplicationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deduplicationToken);
        return deduplicationToken;
    }

    private async Task InsertAsync<TRow>(TableWriter<TRow> writer, IReadOnlyList<TRow> rows, string? deduplicationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        var chunkSize = options.MaxBatchRows;
        var chunks = (rows.Count + chunkSize - 1) / chunkSize;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var offset = chunk * chunkSize;
            var count = Math.Min(chunkSize, rows.Count - offset);

            // A chunk's token is derived from the caller's, so a repeated call (same rows, same MaxBatchRows)
            // produces the same tokens and every chunk that already landed is deduplicated.
            var token = deduplicationToken is null || chunks == 1 ? deduplicationToken : $"{deduplicationToken}#{chunk}";
            await InsertChunkAsync(writer, rows, offset, count, token, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InsertChunkAsync<TRow>(TableWriter<TRow> writer, IReadOnlyList<TRow> rows, int offset, int count, string? token, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            // chDB and recent servers default to async_insert=1; we batch on the client and want the insert done
            // (and deduplicated by token) when the call returns.
            ["async_insert"] = 0,
        };
        if (token is not null)
        {
            settings["insert_deduplicate"] = 1;
            settings["insert_deduplication_token"] = token;
        }

        var insertOptions = new InsertOptions
        {
            // One HTTP request per chunk: the driver would otherwise split at its own batch size and send the parts
            // under the same token, and the second part would be dropped as a duplicate of the first.
            BatchSize = count,
            MaxDegreeOfParallelism = 1,
            ColumnTypes = writer.ColumnTypes,
            CustomSettings = settings,
            // The driver compresses insert bodies (zstd) whatever the connection string says; honour its
            // Compression setting: on loopback or a fast network compressing costs CPU on both sides for nothing.
            Compressor = client.Settings.UseCompression ? ZstdCompressor.Default : null,
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.InsertTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await client.InsertBinaryAsync(
                Sql.Table(options.Database, writer.Table),
                writer.ColumnNames,
                writer.Project(rows, offset, count)!,
                insertOptions,
                timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            var transient = timedOut || ClickHouseErrorClassifier.IsTransient(ex);
            metrics.InsertFailed(writer.Table, transient);
            Log.InsertFailed(logger, ex, writer.Table, count, transient);
            var reason = timedOut ? $"timed out after {options.InsertTimeout} (ClickHouse:InsertTimeout)" : ex.Message;
            throw new AnalyticsSinkException(
                $"Insert of {count} row(s) into {options.Database}.{writer.Table} failed: {reason}", writer.Table, transient, ex);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.Inserted(writer.Table, count, elapsed);
        Log.Inserted(logger, writer.Table, count, (long)elapsed.TotalMilliseconds);
    }
}
