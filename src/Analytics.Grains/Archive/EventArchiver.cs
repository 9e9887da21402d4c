using System.Security.Cryptography;
using System.Text;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.Grains.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Archive;

/// <summary>
/// Writes every polled record of this silo's partitions to ClickHouse: well-formed events to <c>page_views</c>,
/// malformed ones to <c>dead_letters</c> (raw bytes and reason), each kind in one insert per interval across all
/// partitions. Effectively once: a partition resumes after the highest offset each table already holds, every insert
/// first skips what ClickHouse holds by then (a previous owner's late write, an attempt that failed after landing), and
/// a failed insert is retried with the same batches and deduplication token. Until a batch is written, its partition's
/// offset is not committed (<see cref="DurableOffset"/>).
/// </summary>
/// <remarks>
/// The writer runs with the silo's lifecycle, not as a hosted service: it starts before the stream receivers and stops
/// only after they stopped, because a receiver that releases its partition (rebalance, graceful shutdown) waits for the
/// partition's buffered rows to be written. Stopped first, as a hosted service is, it made every graceful silo
/// stop wait out that wait (10 s) while nobody read the silo's partitions, and left their rows to be read again.
/// </remarks>
public sealed partial class EventArchiver(
    IAnalyticsSink sink,
    IOptions<ArchiveOptions> options,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<EventArchiver> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PartitionArchive> _partitions = new();
    private readonly SemaphoreSlim _wakeUp = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private List<ArchiveBatch>? _inFlight;
    private Task _writer = Task.CompletedTask;
    private long _pendingRows;

    /// <summary>Whether so many rows wait that receivers should pause polling.</summary>
    public bool IsSaturated => Interlocked.Read(ref _pendingRows) > options.Value.MaxPendingRows;

    /// <summary>
    /// Learns from ClickHouse how far <paramref name="partition"/> is archived in each table, so replays are not
    /// written twice. Per table: events and dead letters are separate inserts, and a crash between the two leaves one
    /// table ahead; skipping both by the higher offset would lose the other table's rows.
    /// </summary>
    public async Task StartPartitionAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var archived = (await sink.GetArchivedOffsetsAsync(topic, [partition], cancellationToken).ConfigureAwait(false))[partition];
        lock (_lock)
        {
            _partitions[partition] = new PartitionArchive(NextAfter(archived.Events), NextAfter(archived.DeadLetters));
        }
        LogPartitionStarted(topic, partition, archived.Events ?? -1, archived.DeadLetters ?? -1);

        static long NextAfter(long? archivedThrough) => archivedThrough is { } max ? max + 1 : 0;
    }

    /// <summary>Waits (bounded) until the partition's buffered rows are written, then forgets it.</summary>
    public async Task StopPartitionAsync(int partition, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (DurableOffset(partition) is not null && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            _wakeUp.Release();
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
        long? unwritten;
        lock (_lock)
        {
            unwritten = DurableOffset(partition);
            if (_partitions.Remove(partition, out var archive))
            {
                // Given up (ClickHouse slow or down): these rows are not committed, the next owner reads them again.
                // A batch already in an attempt stays with it (the retry must repeat it) and is released when it lands.
                var abandoned = archive.Pending.Where(b => _inFlight?.Exists(f => ReferenceEquals(f, b)) != true).Sum(b => b.Events.Count + b.DeadLetters.Count);
                Interlocked.Add(ref _pendingRows, -abandoned);
            }
        }
        LogPartitionStopped(partition, unwritten ?? -1);
    }

    /// <summary>Buffers a poll's rows (records below the archived offset are skipped). Never blocks.</summary>
    public void Enqueue(string topic, int partition, long firstOffset, long lastOffset,
        List<RawEventRow> events, List<DeadLetterRow> deadLetters)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var archive))
            {
                LogNotStarted(topic, partition, firstOffset, lastOffset);
                return;
            }
            var skipBelow = Math.Min(archive.EventsFrom, archive.DeadLettersFrom);
            if (firstOffset < Math.Max(archive.EventsFrom, archive.DeadLettersFrom))
            {
                // A replay: drop what each table already holds.
                events.RemoveAll(e => e.KafkaOffset < archive.EventsFrom);
                deadLetters.RemoveAll(d => d.KafkaOffset < archive.DeadLettersFrom);
                if (events.Count + deadLetters.Count == 0) return;
                firstOffset = Math.Max(firstOffset, skipBelow);
            }
            archive.Pending.Enqueue(new ArchiveBatch(topic, partition, firstOffset, lastOffset, events, deadLetters));
            Interlocked.Add(ref _pendingRows, events.Count + deadLetters.Count);
        }
        if (Interlocked.Read(ref _pendingRows) >= options.Value.MaxBatchRows) _wakeUp.Release();
    }

    /// <summary>The first offset of <paramref name="partition"/> not yet written, or null when nothing is pending.</summary>
    public long? DurableOffset(int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var archive) && archive.Pending.TryPeek(out var oldest)
                ? oldest.FirstOffset
                : null;
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
                LogWriteFailed(_inFlight?.Count ?? 0, backoff.TotalMilliseconds, ex);
            }
        }
    }

    /// <summary>One write attempt: the batches of a failed attempt again, else up to MaxBatchRows of the oldest pending ones.</summary>
    internal async Task WriteOnceAsync(CancellationToken cancellationToken)
    {
        // Retry exactly the batches of a failed attempt first, so its deduplication token matches.
        var batches = _inFlight ?? TakeBatches();
        if (batches.Count == 0) return;
        var token = DeduplicationToken(batches);
        // What ClickHouse holds now, per partition and table: another silo may have written some of these records since
        // this partition started here (when a partition moves, the previous owner writes what it polled while the new
        // owner starts), and a failed attempt of this very write may have landed. Rows at or below what a table holds
        // are skipped; a partition's rows are written in offset order by every owner, so nothing below is missing.
        var archived = await sink.GetArchivedOffsetsAsync(batches[0].Topic, batches.Select(b => b.Partition).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        var events = batches.SelectMany(b => b.Events).Where(e => !(e.KafkaOffset <= archived[e.KafkaPartition].Events)).ToList();
        var deadLetters = batches.SelectMany(b => b.DeadLetters).Where(d => !(d.KafkaOffset <= archived[d.KafkaPartition].DeadLetters)).ToList();
        var skipped = batches.Sum(b => b.Events.Count + b.DeadLetters.Count) - events.Count - deadLetters.Count;
        // Unchanged rows keep the token (a retry of an insert that did not land); if the earlier attempt landed, its
        // rows are all skipped now, so the token is never reused for different rows that matter.
        if (events.Count > 0) await sink.WriteRawEventsAsync(events, "raw-" + token, cancellationToken).ConfigureAwait(false);
        if (deadLetters.Count > 0) await sink.WriteDeadLettersAsync(deadLetters, "dlq-" + token, cancellationToken).ConfigureAwait(false);
        metrics.EventsArchived.Add(events.Count);
        metrics.EventsDeadLettered.Add(deadLetters.Count);
        if (skipped > 0) LogSkippedArchived(skipped, new BatchRanges(batches));
        lock (_lock)
        {
            foreach (var batch in batches)
            {
                if (_partitions.TryGetValue(batch.Partition, out var archive) && archive.Pending.TryPeek(out var head) && ReferenceEquals(head, batch))
                    archive.Pending.Dequeue();
            }
        }
        Interlocked.Add(ref _pendingRows, -batches.Sum(b => b.Events.Count + b.DeadLetters.Count));
        lock (_lock) _inFlight = null;
        LogWritten(events.Count, deadLetters.Count, new BatchRanges(batches));
    }

    private List<ArchiveBatch> TakeBatches()
    {
        var max = options.Value.MaxBatchRows;
        var taken = new List<ArchiveBatch>();
        var rows = 0;
        lock (_lock)
        {
            foreach (var archive in _partitions.Values)
            {
                // Take each partition's batches oldest first, so the pending head is always what completes first.
                foreach (var batch in archive.Pending)
                {
                    if (rows >= max) break;
                    taken.Add(batch);
                    rows += batch.Events.Count + batch.DeadLetters.Count;
                }
            }
            // Set under the lock: a partition that stops meanwhile must see which of its batches an attempt holds.
            _inFlight = taken.Count > 0 ? taken : null;
        }
        return taken;
    }

    private static string DeduplicationToken(List<ArchiveBatch> batches)
    {
        var text = string.Join(';', batches.Select(b => $"{b.Topic}:{b.Partition}:{b.FirstOffset}-{b.LastOffset}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _wakeUp.Dispose();
    }

    private sealed class PartitionArchive(long eventsFrom, long deadLettersFrom)
    {
        /// <summary>Events below this offset are in page_views already.</summary>
        public long EventsFrom { get; } = eventsFrom;

        /// <summary>Dead letters below this offset are in dead_letters already.</summary>
        public long DeadLettersFrom { get; } = deadLettersFrom;

        public Queue<ArchiveBatch> Pending { get; } = new();
    }

    /// <summary>"partition:first-last ..." of a write, formatted only if the log line is written.</summary>
    private readonly record struct BatchRanges(List<ArchiveBatch> Batches)
    {
        public override string ToString() => string.Join(' ', Batches.Select(b => $"{b.Partition}:{b.FirstOffset}-{b.LastOffset}"));
    }

    private sealed record ArchiveBatch(string Topic, int Partition, long FirstOffset, long LastOffset,
        List<RawEventRow> Events, List<DeadLetterRow> DeadLetters);

    [LoggerMessage(Level = LogLevel.Information, Message = "Archiving {Topic}[{Partition}]; ClickHouse holds its events through offset {EventsThrough} and its dead letters through {DeadLettersThrough}.")]
    private partial void LogPartitionStarted(string topic, int partition, long eventsThrough, long deadLettersThrough);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped archiving partition {Partition}; first unwritten offset {Unwritten} (-1: all written).")]
    private partial void LogPartitionStopped(int partition, long unwritten);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A poll of {Topic}[{Partition}] ({First}-{Last}) arrived for a partition this silo does not archive; not buffered.")]
    private partial void LogNotStarted(string topic, int partition, long first, long last);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Rows} records of {Ranges} were in ClickHouse already (written by the partition's previous owner, or by an attempt that failed late); skipped.")]
    private partial void LogSkippedArchived(int rows, BatchRanges ranges);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Archived {Events} events and {DeadLetters} dead letters of {Ranges}.")]
    private partial void LogWritten(int events, int deadLetters, BatchRanges ranges);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Batches} archive batches to ClickHouse failed; retrying in {BackoffMs} ms.")]
    private partial void LogWriteFailed(int batches, double backoffMs, Exception ex);
}
