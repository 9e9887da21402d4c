namespace Analytics.ClickHouse.Rows;

/// <summary>
/// One closed (or updated) session for <c>sessions</c> (ReplacingMergeTree keyed by session id: the highest
/// <see cref="Version"/> wins). <see cref="StartedAt"/> must not change between versions of one session.
/// </summary>
public sealed record SessionRow
{
    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>The visitor id, or an empty string.</summary>
    public string UserId { get; init; } = "";

    /// <summary>Time of the first event (UTC).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>Time of the last event (UTC).</summary>
    public required DateTime EndedAt { get; init; }

    /// <summary>Duration in milliseconds (last event minus first event).</summary>
    public long DurationMs { get; init; }

    /// <summary>Number of page views in the session.</summary>
    public int PageCount { get; init; }

    /// <summary>Number of events of all types in the session.</summary>
    public int EventCount { get; init; }

    /// <summary>The first page of the session.</summary>
    public string EntryPage { get; init; } = "";

    /// <summary>The last page of the session.</summary>
    public string ExitPage { get; init; } = "";

    /// <summary>Whether the session is a bounce (a single page view).</summary>
    public bool IsBounce { get; init; }

    /// <summary>The row version: a higher version replaces a lower one for the same session.</summary>
    public required ulong Version { get; init; }
}
