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
/// partitions. Effectively once: a partition resumes after the highest offset ClickHouse already holds, and a
/// failed insert is retried with exactly the same rows and deduplication token. Until a batch is written, its
/// partition's offset is not committed (<see cref="DurableOffset"/>).
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

    /// <summary>Learns from ClickHouse how far <paramref name="partition"/> is archived, so replays are not written twice.</summary>
    public async Task StartPartitionAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var archivedThrough = await sink.GetMaxArchivedOffsetAsync(topic, partition, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _partitions[partition] = new PartitionArchive(archivedThrough is { } max ? max + 1 : 0);
        }
        LogPartitionStarted(topic, partition, archivedThrough ?? -1);
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
        lock (_lock) _partitions.Remove(partition);
    }

    /// <summary>Buffers a poll's rows (records below the archived offset are skipped). Never blocks.</summary>
    public void Enqueue(string topic, int partition, long firstOffset, long lastOffset,
        List<RawEventRow> events, List<DeadLetterRow> deadLetters)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var archive)) return;
            if (lastOffset < archive.SkipBelow) return; // a replay ClickHouse already holds
            if (firstOffset < archive.SkipBelow)
            {
                events.RemoveAll(e => e.KafkaOffset < archive.SkipBelow);
                deadLetters.RemoveAll(d => d.KafkaOffset < archive.SkipBelow);
                firstOffset = archive.SkipBelow;
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
        var batches = _inFlight ??= TakeBatches();
        if (batches.Count == 0)
        {
            _inFlight = null;
            return;
        }
        var token = DeduplicationToken(batches);
        var events = batches.SelectMany(b => b.Events).ToList();
        var deadLetters = batches.SelectMany(b => b.DeadLetters).ToList();
        if (events.Count > 0) await sink.WriteRawEventsAsync(events, "raw-" + token, cancellationToken).ConfigureAwait(false);
        if (deadLetters.Count > 0) await sink.WriteDeadLettersAsync(deadLetters, "dlq-" + token, cancellationToken).ConfigureAwait(false);
        metrics.EventsArchived.Add(events.Count);
        metrics.EventsDeadLettered.Add(deadLetters.Count);
        lock (_lock)
        {
            foreach (var batch in batches)
            {
                if (_partitions.TryGetValue(batch.Partition, out var archive) && archive.Pending.TryPeek(out var head) && ReferenceEquals(head, batch))
                    archive.Pending.Dequeue();
            }
        }
        Interlocked.Add(ref _pendingRows, -(events.Count + deadLetters.Count));
        _inFlight = null;
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

    private sealed class PartitionArchive(long skipBelow)
    {
        public long SkipBelow { get; } = skipBelow;

        public Queue<ArchiveBatch> Pending { get; } = new();
    }

    private sealed record ArchiveBatch(string Topic, int Partition, long FirstOffset, long LastOffset,
        List<RawEventRow> Events, List<DeadLetterRow> DeadLetters);

    [LoggerMessage(Level = LogLevel.Information, Message = "Archiving {Topic}[{Partition}]; ClickHouse holds offsets through {ArchivedThrough}.")]
    private partial void LogPartitionStarted(string topic, int partition, long archivedThrough);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Batches} archive batches to ClickHouse failed; retrying in {BackoffMs} ms.")]
    private partial void LogWriteFailed(int batches, double backoffMs, Exception ex);
}
