namespace Analytics.Client;

/// <summary>The most viewed pages over a window.</summary>
public sealed record TopPages
{
    /// <summary>The window.</summary>
    public required TopPagesWindow Window { get; init; }

    /// <summary>The window's first minute (UTC).</summary>
    public required DateTime From { get; init; }

    /// <summary>When the cluster computed the ranking (UTC); rankings are refreshed about once a second.</summary>
    public required DateTime AsOf { get; init; }

    /// <summary>Whether any figure in <see cref="Pages"/> is an estimate rather than an exact count.</summary>
    public required bool IsApproximate { get; init; }

    /// <summary>The pages, most viewed first (ties by page path).</summary>
    public required IReadOnlyList<TopPage> Pages { get; init; }
}

/// <summary>One page of a ranking.</summary>
public sealed record TopPage
{
    /// <summary>The page path.</summary>
    public required string Page { get; init; }

    /// <summary>Page views (<c>page_view</c> events) in the window.</summary>
    public required long Views { get; init; }

    /// <summary>Distinct visitors among the window's page views.</summary>
    public required long UniqueVisitors { get; init; }

    /// <summary>Whether <see cref="Views"/> is exact (false: a pre-aggregated estimate).</summary>
    public required bool ViewsExact { get; init; }

    /// <summary>Whether <see cref="UniqueVisitors"/> is exact (false: an estimate).</summary>
    public required bool UniqueVisitorsExact { get; init; }

    /// <summary>Whether either figure is an estimate.</summary>
    public bool IsApproximate => !ViewsExact || !UniqueVisitorsExact;
}

/// <summary>One page's live figures.</summary>
public sealed record PageStats
{
    /// <summary>The page path.</summary>
    public required string Page { get; init; }

    /// <summary>When they were read (UTC).</summary>
    public required DateTime AsOf { get; init; }

    /// <summary>The current minute window.</summary>
    public required WindowStats LastMinute { get; init; }

    /// <summary>The current minute window and the four before it.</summary>
    public required WindowStats LastFiveMinutes { get; init; }

    /// <summary>Per-minute figures of the minutes the cluster holds live (open and recently final), oldest first.</summary>
    public required IReadOnlyList<MinuteStats> Minutes { get; init; }

    /// <summary>Events of the page applied since its live state was created.</summary>
    public required long TotalEvents { get; init; }

    /// <summary>Late events of the page since its live state was created (not in the counts).</summary>
    public required long LateEvents { get; init; }

    /// <summary>The event-time watermark the page last used to close windows (UTC).</summary>
    public required DateTime Watermark { get; init; }
}

/// <summary>Views and distinct visitors of one page over a window.</summary>
public sealed record WindowStats
{
    /// <summary>The window's first minute (UTC).</summary>
    public required DateTime From { get; init; }

    /// <summary>Page views.</summary>
    public required long Views { get; init; }

    /// <summary>Distinct visitors.</summary>
    public required long UniqueVisitors { get; init; }

    /// <summary>Whether <see cref="UniqueVisitors"/> is exact.</summary>
    public required bool UniqueVisitorsExact { get; init; }
}

/// <summary>One minute of one page.</summary>
public sealed record MinuteStats
{
    /// <summary>The minute's start (UTC).</summary>
    public required DateTime Minute { get; init; }

    /// <summary>Page views.</summary>
    public required long Views { get; init; }

    /// <summary>Exact distinct visitors.</summary>
    public required long UniqueVisitors { get; init; }

    /// <summary>Events of every type.</summary>
    public required long Events { get; init; }

    /// <summary>Late events for this minute, not in the counts above.</summary>
    public required long LateEvents { get; init; }

    /// <summary>Whether the minute is final (its counts no longer change).</summary>
    public required bool IsFinal { get; init; }
}

/// <summary>Site-wide live figures.</summary>
public sealed record SiteOverview
{
    /// <summary>When the cluster computed them (UTC).</summary>
    public required DateTime AsOf { get; init; }

    /// <summary>Well-formed events per second, averaged over the last few complete seconds.</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>Events per second for each of the last complete seconds, oldest first.</summary>
    public required IReadOnlyList<RatePoint> EventsPerSecondSeries { get; init; }

    /// <summary>Sessions with an event within <see cref="ActiveSessionWindow"/> (an estimate).</summary>
    public required long ActiveSessions { get; init; }

    /// <summary>The inactivity timeout that makes a session active.</summary>
    public required TimeSpan ActiveSessionWindow { get; init; }

    /// <summary>Late events counted since the silos started.</summary>
    public required long LateEvents { get; init; }

    /// <summary>Malformed records dead-lettered since the silos started.</summary>
    public required long DeadLetteredEvents { get; init; }

    /// <summary>Silos currently reporting traffic.</summary>
    public required int Silos { get; init; }
}

/// <summary>Events in one second.</summary>
/// <param name="Second">The second's start (UTC).</param>
/// <param name="Events">Events in it.</param>
public sealed record RatePoint(DateTime Second, long Events);

/// <summary>One visitor session, live.</summary>
public sealed record SessionInfo
{
    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>The visitor id of the session's first event.</summary>
    public required string UserId { get; init; }

    /// <summary>Event time of the first event (UTC).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>Event time of the latest event (UTC).</summary>
    public required DateTime LastActivityAt { get; init; }

    /// <summary>From the first to the latest event.</summary>
    public TimeSpan Duration => LastActivityAt - StartedAt;

    /// <summary>Page views.</summary>
    public required long PageViews { get; init; }

    /// <summary>Events of every type.</summary>
    public required long Events { get; init; }

    /// <summary>The first page viewed.</summary>
    public required string EntryPage { get; init; }

    /// <summary>The latest page viewed.</summary>
    public required string ExitPage { get; init; }

    /// <summary>The most recent distinct pages, oldest first.</summary>
    public required IReadOnlyList<string> RecentPages { get; init; }

    /// <summary>Whether the session has ended (inactivity timeout).</summary>
    public required bool IsClosed { get; init; }

    /// <summary>A session with at most one page view.</summary>
    public bool IsBounce => PageViews <= 1;
}

/// <summary>An anomaly incident's start or end.</summary>
public sealed record Anomaly
{
    /// <summary>Identifies the incident (the same in its start and end).</summary>
    public required string IncidentId { get; init; }

    /// <summary><c>started</c> or <c>ended</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><c>page</c> or <c>site</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>The page path; empty for the site scope.</summary>
    public required string Page { get; init; }

    /// <summary><c>spike</c> or <c>drop</c>.</summary>
    public required string Direction { get; init; }

    /// <summary>The second the incident started (UTC, event time).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>When it was detected (UTC).</summary>
    public required DateTime DetectedAt { get; init; }

    /// <summary>When it ended (UTC, event time), for <c>ended</c>.</summary>
    public DateTime? EndedAt { get; init; }

    /// <summary>The rate that tripped the threshold (for an end: the peak), events per second.</summary>
    public required double ObservedRate { get; init; }

    /// <summary>The baseline mean, events per second.</summary>
    public required double BaselineMean { get; init; }

    /// <summary>The baseline standard deviation.</summary>
    public required double BaselineStdDev { get; init; }

    /// <summary>The z-score (for an end: the peak).</summary>
    public required double ZScore { get; init; }
}
