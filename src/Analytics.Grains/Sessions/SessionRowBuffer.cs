using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Sessions;

/// <summary>
/// Collects session rows from this silo's session grains (the newest version per session wins) and writes them
/// to <c>analytics.sessions</c> in one insert per <see cref="SessionOptions.RowFlushInterval"/>. Rows are
/// versioned upserts (ReplacingMergeTree), so a retried or repeated write is harmless. It also keeps the
/// sessions_1m rollup grain running.
/// </summary>
public sealed partial class SessionRowBuffer(
    IAnalyticsSink sink,
    IGrainFactory grains,
    IOptions<SessionOptions> options,
    TimeProvider time,
    ILogger<SessionRowBuffer> logger) : BackgroundService
{
    private const int MaxBufferedRows = 500_000;
    private readonly Lock _lock = new();
    private Dictionary<string, SessionRow> _rows = new(StringComparer.Ordinal);
    private TaskCompletionSource _rowsWritten = NewCompletion();
    private long _dropped;

    /// <summary>
    /// Completes once every row offered before this call is in ClickHouse (a failed write is retried, so this may
    /// take several ticks). Session shards use it to know which of their stored changes ClickHouse already has.
    /// </summary>
    public Task WhenWrittenAsync()
    {
        lock (_lock) return _rowsWritten.Task;
    }

    /// <summary>Buffers <paramref name="row"/>, replacing an older version of the same session.</summary>
    public void Upsert(SessionRow row)
    {
        lock (_lock)
        {
            if (_rows.TryGetValue(row.SessionId, out var known) && known.Version >= row.Version) return;
            if (_rows.Count >= MaxBufferedRows && known is null)
            {
                // Bounded: the session grain re-offers its row on its next event or deactivation.
                _dropped++;
                return;
            }
            _rows[row.SessionId] = row;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RowFlushInterval, time);
        var rollupStarted = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Dictionary<string, SessionRow> batch;
            TaskCompletionSource batchWritten;
            lock (_lock)
            {
                batchWritten = _rowsWritten;
                _rowsWritten = NewCompletion();
                if (_rows.Count == 0)
                {
                    batchWritten.TrySetResult();
                    continue;
                }
                batch = _rows;
                _rows = new(StringComparer.Ordinal);
            }
            try
            {
                await sink.WriteSessionsAsync(batch.Values.ToList(), stoppingToken).ConfigureAwait(false);
                if (!rollupStarted)
                {
                    await grains.GetGrain<ISessionRollupGrain>(0).EnsureRunningAsync().ConfigureAwait(false);
                    rollupStarted = true;
                }
                batchWritten.TrySetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWriteFailed(batch.Count, ex);
                foreach (var row in batch.Values) Upsert(row); // keep them for the next tick (newer versions win)
                Task next;
                lock (_lock) next = _rowsWritten.Task;
                _ = next.ContinueWith(_ => batchWritten.TrySetResult(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped) LogDropped(dropped);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        List<SessionRow> rest;
        lock (_lock) rest = _rows.Values.ToList();
        if (rest.Count == 0) return;
        try { await sink.WriteSessionsAsync(rest, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OperationCanceledException) { LogWriteFailed(rest.Count, ex); }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Rows} session rows failed; retrying on the next tick.")]
    private partial void LogWriteFailed(int rows, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session row buffer was full; {Dropped} rows wait for their grain's next update.")]
    private partial void LogDropped(long dropped);
}
