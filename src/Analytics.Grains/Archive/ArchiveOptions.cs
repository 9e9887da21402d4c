namespace Analytics.Grains.Archive;

/// <summary>Settings of the raw-event archive and dead-letter writer (configuration section <c>Archive</c>).</summary>
public sealed class ArchiveOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Archive";

    /// <summary>
    /// How often each partition's buffered rows are written to <c>page_views</c> and <c>dead_letters</c> (one insert
    /// per partition and table). Defaults to 1 s.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An insert holds at most this many rows (at least one poll); a write starts early once this many rows are buffered. Defaults to 100,000.</summary>
    public int MaxBatchRows { get; set; } = 100_000;

    /// <summary>
    /// Past this many buffered rows the Kafka receivers pause polling until ClickHouse catches up (back-pressure
    /// instead of unbounded memory). Defaults to 1,000,000.
    /// </summary>
    public int MaxPendingRows { get; set; } = 1_000_000;

    /// <summary>How many partitions' inserts run at once. Defaults to 2.</summary>
    public int MaxParallelInserts { get; set; } = 2;
}
