namespace Analytics.Grains.Sessions;

/// <summary>What a session grain persists. Bounded: the recent pages list has a cap.</summary>
[GenerateSerializer]
[Alias("analytics.session-state.v1")]
public sealed class SessionState
{
    /// <summary>Highest Kafka offset applied per partition (replays at or below are skipped).</summary>
    [Id(0)] public Dictionary<int, long> AppliedOffsets { get; set; } = new();

    /// <summary>Incremented when an event arrives after the session closed: the id then starts a new session.</summary>
    [Id(1)] public int Generation { get; set; }

    /// <summary>The visitor of the first event.</summary>
    [Id(2)] public string UserId { get; set; } = "";

    /// <summary>Earliest event time (UTC), or default before the first event.</summary>
    [Id(3)] public DateTime StartedAt { get; set; }

    /// <summary>Latest event time (UTC).</summary>
    [Id(4)] public DateTime LastActivityAt { get; set; }

    /// <summary>Page views.</summary>
    [Id(5)] public long PageViews { get; set; }

    /// <summary>Events of every type.</summary>
    [Id(6)] public long Events { get; set; }

    /// <summary>The page of the earliest page view, and its time.</summary>
    [Id(7)] public string EntryPage { get; set; } = "";

    /// <summary>Time of <see cref="EntryPage"/>'s view.</summary>
    [Id(8)] public DateTime EntryAt { get; set; }

    /// <summary>The page of the latest page view.</summary>
    [Id(9)] public string ExitPage { get; set; } = "";

    /// <summary>Time of <see cref="ExitPage"/>'s view.</summary>
    [Id(10)] public DateTime ExitAt { get; set; }

    /// <summary>Distinct recently visited pages, oldest first.</summary>
    [Id(11)] public List<string> RecentPages { get; set; } = [];

    /// <summary>Whether the session has seen an event.</summary>
    public bool HasStarted => Events > 0;
}
