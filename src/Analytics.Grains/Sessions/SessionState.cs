namespace Analytics.Grains.Sessions;

/// <summary>
/// One session as its shard keeps and persists it (see <see cref="SessionStateCodec"/>). Bounded: the recent pages
/// list has a cap. A closed session stays as a tombstone for <see cref="SessionOptions.TombstoneRetention"/>, so
/// that an id coming back starts its next generation instead of overwriting the closed row.
/// </summary>
public sealed class SessionState
{
    /// <summary>Incremented when an event arrives after the session closed: the id then starts a new session.</summary>
    public int Generation { get; set; }

    /// <summary>The visitor of the first event.</summary>
    public string UserId { get; set; } = "";

    /// <summary>Earliest event time (UTC), or default before the first event.</summary>
    public DateTime StartedAt { get; set; }

    /// <summary>Latest event time (UTC).</summary>
    public DateTime LastActivityAt { get; set; }

    /// <summary>Page views.</summary>
    public long PageViews { get; set; }

    /// <summary>Events of every type.</summary>
    public long Events { get; set; }

    /// <summary>The page of the earliest page view, and its time.</summary>
    public string EntryPage { get; set; } = "";

    /// <summary>Time of <see cref="EntryPage"/>'s view.</summary>
    public DateTime EntryAt { get; set; }

    /// <summary>The page of the latest page view.</summary>
    public string ExitPage { get; set; } = "";

    /// <summary>Time of <see cref="ExitPage"/>'s view.</summary>
    public DateTime ExitAt { get; set; }

    /// <summary>Distinct recently visited pages, oldest first.</summary>
    public List<string> RecentPages { get; set; } = [];

    /// <summary>Whether the session was closed by the watermark (its final row was offered).</summary>
    public bool Closed { get; set; }

    /// <summary>Whether the session has seen an event.</summary>
    public bool HasStarted => Events > 0;
}
