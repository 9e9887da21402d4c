namespace Analytics.ClickHouse.Rows;

/// <summary>
/// A one-minute rollup of one page for <c>page_views_1m</c> (ReplacingMergeTree keyed by page and minute:
/// the row with the highest <see cref="Version"/> wins, so a retried or corrected write is idempotent).
/// </summary>
public sealed record PageMinuteRow
{
    /// <summary>The page path.</summary>
    public required string Page { get; init; }

    /// <summary>The window start (UTC, whole minute).</summary>
    public required DateTime Minute { get; init; }

    /// <summary>Page views (events of type <c>page_view</c>).</summary>
    public long Views { get; init; }

    /// <summary>Exact number of distinct visitors.</summary>
    public long UniqueVisitors { get; init; }

    /// <summary>Events of all types.</summary>
    public long Events { get; init; }

    /// <summary>Event counts by event type.</summary>
    public IReadOnlyDictionary<string, long> EventsByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Late events counted for this minute (not included in the other counts).</summary>
    public long LateEvents { get; init; }

    /// <summary>The row version: a higher version replaces a lower one for the same page and minute.</summary>
    public required ulong Version { get; init; }

    /// <summary>When the rollup was flushed (UTC wall clock).</summary>
    public required DateTime FlushedAt { get; init; }
}
