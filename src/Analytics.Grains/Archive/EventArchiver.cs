using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.Grains.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Archive;

/// <summary>
/// Writes every polled record of this silo's partitions to ClickHouse: well-formed events to <c>page_views</c>,
/// malformed ones to <c>dead_letters</c> (raw bytes and reason). Per partition, rows are written in offset order as
/// ranges; each range is claimed in the partition's ledger under this silo's lease before its insert, and inserted
/// with a deduplication token that depends only on the partition and range. Until a range is written its offsets are
/// not committed (<see cref="DurableOffset"/>). Together this makes raw rows effectively once through crashes,
/// retries and partition moves (see <see cref="PartitionArchive"/> and <see cref="IArchiveLedgerGrain"/>).
/// </summary>
/// <remarks>
/// The writer runs with the silo's lifecycle, not as a hosted service: it starts before the stream receivers and stops
/// only after they stopped, because a receiver that releases its partition (rebalance, graceful shutdown) waits for the
/// partition's buffered rows to be written. Stopped first, as a hosted service is, it made every graceful silo
/// stop wait out that wait (10 s) while nobody read the silo's partitions, and left their rows to be read again.
/// </remarks>
public sealed partial class EventArchiver(
    IAnalyticsSink sink,
    IArchiveLedger ledger,
    IOptions<ArchiveOptions> options,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<EventArchiver> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PartitionArchive> _partitions = new();
    private readonly SemaphoreSlim _wakeUp = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Task _writer = Task.CompletedTask;

    /// <summary>Whether so many rows wait that receivers should pause polling.</summary>
    public bool IsSaturated => PendingRows() > options.Value.MaxPendingRows;

    /// <summary>
    /// Takes over archiving <paramref name="partition"/>: acquires its lease (revoking the previous owner's) and learns
    /// from the ledger and ClickHouse how far it is archived, so replays are not written twice.
    /// </summary>
    public async Task StartPartitionAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        // The lease first: from here on the previous owner can insert nothing but the range it claimed last.
        var lease = await ledger.AcquireAsync(topic, partition, cancellationToken).ConfigureAwait(false);
        var archived = (await sink.GetArchivedOffsetsAsync(topic, [partition], cancellationToken).ConfigureAwait(false))[partition];
        lock (_lock)
        {
            _partitions[partition] = new PartitionArchive(topic, partition, lease, archived.Events, archived.DeadLetters);
        }
        LogPartitionStarted(topic, partition, archived.Events ?? -1, archived.DeadLetters ?? -1, lease.LastClaim);
    }

    /// <summary>Waits (bounded) until the partition's buffered rows are written, then forgets it.</summary>
    public async Task StopPartitionAsync(int partition, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (HasUnwritten(partition) && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            _wakeUp.Release();
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
        long? unwritten;
        lock (_lock)
        {
            // Given up (ClickHouse slow or down) or revoked: these rows are not committed, the next owner reads them
            // again. A write in progress finishes or fails on its own; its result is no longer recorded here.
            unwritten = _partitions.Remove(partition, out var archive) ? archive.DurableOffset : null;
        }
        LogPartitionStopped(partition, unwritten ?? -1);
    }

    /// <summary>Buffers a poll's rows (records below the archived offset are skipped). Never blocks.</summary>
    public void Enqueue(string topic, int partition, long firstOffset, long lastOffset,
        List<RawEventRow> events, List<DeadLetterRow> deadLetters)
    {
        int kept;
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var archive))
            {
                LogNotStarted(topic, partition, firstOffset, lastOffset);
                return;
            }
            kept = archive.Add(firstOffset, lastOffset, events, deadLetters);
        }
        if (kept > 0 && PendingRows() >= options.Value.MaxBatchRows) _wakeUp.Release();
    }

    /// <summary>
    /// The first offset of <paramref name="partition"/> not yet written, or null when nothing is pending; the
    /// partition's offset is committed only below it.
    /// </summary>
    public long? DurableOffset(int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var archive) ? archive.DurableOffset : null;
        }
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        // Below Active, where the stream provider starts and stops its pulling agents: up before them, down after them.
        lifecycle.Subscribe(nameof(EventArchiver), ServiceLifecycleStage.ApplicationServices, StartWriting, StopWritingAsync);

    private Task StartWriting(CancellationToken cancellationToken)
    {
        _writer = Task.Run(() => WriteLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopWritingAsync(CancellationToken cancellationToken)
    {
        // Every receiver has stopped and waited for its partition's rows by now; what is left is not committed.
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wakeUp.WaitAsync(options.Value.Interval + backoff, stoppingToken).ConfigureAwait(false);
            try
            {
                await WriteOnceAsync(stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                backoff = TimeSpan.FromMilliseconds(Math.Min(5_000, Math.Max(250, backoff.TotalMilliseconds * 2)));
                LogWriteFailed(backoff.TotalMilliseconds, ex);
            }
        }
    }

    /// <summary>
    /// One round: per partition, the write in flight again or the next range; a few partitions at a time. Throws the
    /// first failure after every partition had its turn (one slow partition does not hold back the others).
    /// </summary>
    internal async Task WriteOnceAsync(CancellationToken cancellationToken)
    {
        var writes = new List<(int Partition, PartitionArchive Archive, ArchiveWrite Write)>();
        lock (_lock)
        {
            foreach (var (partition, archive) in _partitions)
            {
                if (archive.NextWrite(options.Value.MaxBatchRows) is { } write) writes.Add((partition, archive, write));
            }
        }
        if (writes.Count == 0) return;
        Exception? failure = null;
        await Parallel.ForEachAsync(writes,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelInserts, CancellationToken = cancellationToken },
            async (w, token) =>
            {
                try
                {
                    await WriteAsync(w.Partition, w.Archive, w.Write, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }
            }).ConfigureAwait(false);
        if (failure is not null) throw failure;
    }

    private async Task WriteAsync(int partition, PartitionArchive archive, ArchiveWrite write, CancellationToken cancellationToken)
    {
        if (!write.Claimed)
        {
            if (!await ledger.ClaimAsync(write.Topic, partition, archive.LeaseId, write.Range, cancellationToken).ConfigureAwait(false))
            {
                int dropped;
                lock (_lock) dropped = archive.Revoke();
                LogRevoked(write.Topic, partition, write.Range.First, dropped);
                return;
            }
            write.Claimed = true;
        }
        var events = write.Events();
        var deadLetters = write.DeadLetters();
        if (events.Count > 0) await sink.WriteRawEventsAsync(events, write.Token("page_views"), cancellationToken).ConfigureAwait(false);
        if (deadLetters.Count > 0) await sink.WriteDeadLettersAsync(deadLetters, write.Token("dead_letters"), cancellationToken).ConfigureAwait(false);
        metrics.EventsArchived.Add(events.Count);
        metrics.EventsDeadLettered.Add(deadLetters.Count);
        lock (_lock) archive.Completed(write);
        LogWritten(events.Count, deadLetters.Count, write.Topic, partition, write.Range.First, write.Range.Last);
    }

    private bool HasUnwritten(int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var archive) && archive.RevokedAt is null && archive.DurableOffset is not null;
        }
    }

    private int PendingRows()
    {
        lock (_lock)
        {
            var rows = 0;
            foreach (var archive in _partitions.Values) rows += archive.PendingRows;
            return rows;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _wakeUp.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archiving {Topic}[{Partition}]; ClickHouse holds its events through offset {EventsThrough} and its dead letters through {DeadLettersThrough}; last claimed range {LastClaim} (empty: none).")]
    private partial void LogPartitionStarted(string topic, int partition, long eventsThrough, long deadLettersThrough, ArchiveRange? lastClaim);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped archiving partition {Partition}; first unwritten offset {Unwritten} (-1: all written).")]
    private partial void LogPartitionStopped(int partition, long unwritten);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A poll of {Topic}[{Partition}] ({First}-{Last}) arrived for a partition this silo does not archive; not buffered.")]
    private partial void LogNotStarted(string topic, int partition, long first, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The archive lease on {Topic}[{Partition}] was revoked (another silo owns it now); dropped {Rows} buffered rows from offset {From}, which the new owner writes.")]
    private partial void LogRevoked(string topic, int partition, long from, int rows);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Archived {Events} events and {DeadLetters} dead letters of {Topic}[{Partition}] {First}-{Last}.")]
    private partial void LogWritten(int events, int deadLetters, string topic, int partition, long first, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing archive ranges to ClickHouse failed; retrying in {BackoffMs} ms.")]
    private partial void LogWriteFailed(double backoffMs, Exception ex);
}
