namespace Analytics.Contracts.Sessions;

/// <summary>The live state of one visitor session.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.session-live-state.v1")]
public sealed record SessionLiveState
{
    /// <summary>The session id.</summary>
    [Id(0)] public required string SessionId { get; init; }

    /// <summary>The visitor id of the session's first event.</summary>
    [Id(1)] public string UserId { get; init; } = "";

    /// <summary>Event time of the first event (UTC).</summary>
    [Id(2)] public DateTime StartedAt { get; init; }

    /// <summary>Event time of the latest event (UTC).</summary>
    [Id(3)] public DateTime LastActivityAt { get; init; }

    /// <summary>Page views in the session.</summary>
    [Id(4)] public long PageViews { get; init; }

    /// <summary>Events of every type in the session.</summary>
    [Id(5)] public long Events { get; init; }

    /// <summary>The first page viewed.</summary>
    [Id(6)] public string EntryPage { get; init; } = "";

    /// <summary>The latest page viewed.</summary>
    [Id(7)] public string ExitPage { get; init; } = "";

    /// <summary>The most recent distinct pages visited, oldest first (bounded).</summary>
    [Id(8)] public IReadOnlyList<string> RecentPages { get; init; } = [];

    /// <summary>Whether the session is closed (no event for the inactivity timeout).</summary>
    [Id(9)] public bool IsClosed { get; init; }

    /// <summary>A session with a single page view is a bounce.</summary>
    public bool IsBounce => PageViews <= 1;

    /// <summary>Duration from the first to the latest event.</summary>
    public TimeSpan Duration => LastActivityAt - StartedAt;
}
