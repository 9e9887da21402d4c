namespace Analytics.Contracts.Flush;

/// <summary>
/// Buffers final rollups and late events from page grains and writes them to ClickHouse in batches on a timer.
/// Keyed by shard number (a page's shard is a stable hash of its path), so no single grain sees every page.
/// </summary>
public interface IFlushGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Queues rollups and late events of one page. Idempotent: the same rollup queued twice is written with the
    /// same version, which ClickHouse collapses; late events carry their Kafka position, by which a repeat is dropped.
    /// When the call returns, the late events are durable in the flush grain (with persistent grain state) and the
    /// caller may forget them; rollups are not, so callers keep them until acknowledged. Fails when the grain is
    /// full or its state cannot be written: the caller keeps everything and hands it over again.
    /// </summary>
    Task EnqueueAsync(string page, PageMinuteRollup[] rollups, LateEvent[] lateEvents);
}
