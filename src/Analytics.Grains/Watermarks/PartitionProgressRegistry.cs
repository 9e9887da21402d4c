using System.Collections.Concurrent;
using Analytics.Contracts.Watermarks;

namespace Analytics.Grains.Watermarks;

/// <summary>
/// Progress of the partitions this silo reads (newest event time, last record time or start of reading), updated
/// on every poll and reported to the watermark grain by <see cref="WatermarkSyncService"/>.
/// </summary>
public sealed class PartitionProgressRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<int, PartitionProgress> _progress = new();

    /// <summary>Records a poll of <paramref name="partition"/>; <paramref name="maxEventTime"/> is null for an empty poll.</summary>
    public void OnPolled(int partition, DateTime? maxEventTime, DateTime polledAt)
    {
        _progress.AddOrUpdate(partition,
            // A partition just taken over starts as if a record had come now: librdkafka's first polls come back
            // empty before its first fetch, and a backlog must not count as idle (a new owner would otherwise
            // release the watermark held at the dead owner's position before replaying a single record).
            _ => new PartitionProgress { Partition = partition, MaxEventTime = maxEventTime, LastRecordAt = polledAt, ReportedAt = polledAt },
            (_, known) => known with
            {
                MaxEventTime = maxEventTime is { } t && (known.MaxEventTime is null || t > known.MaxEventTime) ? t : known.MaxEventTime,
                LastRecordAt = maxEventTime is null ? known.LastRecordAt : polledAt,
                ReportedAt = polledAt,
            });
    }

    /// <summary>Forgets a partition this silo no longer reads.</summary>
    public void Remove(int partition) => _progress.TryRemove(partition, out _);

    /// <summary>A report of every partition this silo reads, stamped now.</summary>
    public PartitionProgress[] Snapshot()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _progress.Values.Select(p => p with { ReportedAt = now }).ToArray();
    }
}
