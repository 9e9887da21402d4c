namespace Analytics.Contracts.Flush;

/// <summary>
/// Buffers final rollups and late events from page grains and writes them to ClickHouse in batches on a timer.
/// Keyed by shard number (a page's shard is a stable hash of its path), so no single grain sees every page.
/// </summary>
public interface IFlushGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Queues rollups and late events of one page. Idempotent: the same rollup queued twice is written with the
    /// same version, which ClickHouse collapses; late events carry their Kafka position, which deduplicates them.
    /// </summary>
    Task EnqueueAsync(string page, PageMinuteRollup[] rollups, LateEvent[] lateEvents);
}
