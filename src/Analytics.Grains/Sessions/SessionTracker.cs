using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Events;
using Analytics.Contracts.Sessions;

namespace Analytics.Grains.Sessions;

/// <summary>
/// The session rules over <see cref="SessionState"/> (pure logic): out-of-order events (start is the earliest, exit
/// the latest page view), inactivity closing, and a new generation when the same id comes back after it closed.
/// Replays are filtered before this, by the shard's applied offsets.
/// </summary>
public sealed class SessionTracker(string sessionId, SessionState state, SessionOptions options)
{
    /// <summary>The state this instance works on.</summary>
    public SessionState State => state;

    /// <summary>
    /// Applies one event. When it comes after the inactivity timeout of a session that is still open, returns that
    /// session's final row (the id then starts a new generation); otherwise null.
    /// </summary>
    public SessionRow? Apply(AnalyticsEvent evt)
    {
        SessionRow? closed = null;
        if (state.Closed)
        {
            // Its final row was written when the watermark closed it.
            StartNextGeneration();
        }
        else if (state.HasStarted && evt.Timestamp >= state.LastActivityAt + options.InactivityTimeout)
        {
            closed = ToRow(isClosed: true);
            StartNextGeneration();
        }
        Add(evt);
        return closed;
    }

    /// <summary>Closes the session (the watermark passed its inactivity timeout) and returns its final row.</summary>
    public SessionRow Close()
    {
        state.Closed = true;
        return ToRow(isClosed: true);
    }

    /// <summary>Whether a closed session's tombstone may be forgotten at <paramref name="eventTimeNow"/>.</summary>
    public bool IsForgettableAt(DateTime eventTimeNow) =>
        state.Closed && eventTimeNow >= state.LastActivityAt + options.InactivityTimeout + options.TombstoneRetention;

    /// <summary>
    /// The time the store indexes this session by: its last activity while open, and for a tombstone the time from
    /// which the expiry scan (which looks for items active before "now minus the inactivity timeout") returns it for
    /// deletion.
    /// </summary>
    public DateTime DueAt => state.Closed ? state.LastActivityAt + options.TombstoneRetention : state.LastActivityAt;

    /// <summary>Whether the session is closed at <paramref name="eventTimeNow"/> (the watermark or clock).</summary>
    public bool IsClosedAt(DateTime eventTimeNow) => state.Closed || (state.HasStarted && eventTimeNow >= state.LastActivityAt + options.InactivityTimeout);

    /// <summary>The row for <c>analytics.sessions</c>; its version grows with every applied event.</summary>
    public SessionRow ToRow(bool isClosed = false) => new()
    {
        SessionId = RowId,
        UserId = state.UserId,
        StartedAt = state.StartedAt,
        EndedAt = state.LastActivityAt,
        DurationMs = (long)(state.LastActivityAt - state.StartedAt).TotalMilliseconds,
        PageCount = (int)Math.Min(int.MaxValue, state.PageViews),
        EventCount = (int)Math.Min(int.MaxValue, state.Events),
        EntryPage = state.EntryPage,
        ExitPage = state.ExitPage,
        IsBounce = state.PageViews <= 1,
        // Events applied so far, plus a final bump once closed, so the closed row supersedes the open ones.
        Version = (ulong)state.Events * 2 + (isClosed ? 1UL : 0UL),
    };

    /// <summary>The live view.</summary>
    public SessionLiveState Snapshot(DateTime eventTimeNow) => new()
    {
        SessionId = RowId,
        UserId = state.UserId,
        StartedAt = state.StartedAt,
        LastActivityAt = state.LastActivityAt,
        PageViews = state.PageViews,
        Events = state.Events,
        EntryPage = state.EntryPage,
        ExitPage = state.ExitPage,
        RecentPages = state.RecentPages.ToList(),
        IsClosed = IsClosedAt(eventTimeNow),
    };

    /// <summary>The id of the current generation's row: the session id, suffixed from the second generation on.</summary>
    public string RowId => state.Generation == 0 ? sessionId : $"{sessionId}#{state.Generation + 1}";

    private void Add(AnalyticsEvent evt)
    {
        if (!state.HasStarted)
        {
            state.UserId = evt.UserId;
            state.StartedAt = state.LastActivityAt = evt.Timestamp;
        }
        if (evt.Timestamp < state.StartedAt) state.StartedAt = evt.Timestamp;
        if (evt.Timestamp > state.LastActivityAt) state.LastActivityAt = evt.Timestamp;
        state.Events++;
        if (!evt.IsPageView) return;
        state.PageViews++;
        if (state.EntryPage.Length == 0 || evt.Timestamp < state.EntryAt) (state.EntryPage, state.EntryAt) = (evt.Page, evt.Timestamp);
        if (state.ExitPage.Length == 0 || evt.Timestamp >= state.ExitAt) (state.ExitPage, state.ExitAt) = (evt.Page, evt.Timestamp);
        state.RecentPages.Remove(evt.Page);
        state.RecentPages.Add(evt.Page);
        if (state.RecentPages.Count > options.MaxRecentPages) state.RecentPages.RemoveAt(0);
    }

    private void StartNextGeneration()
    {
        state.Generation++;
        state.Closed = false;
        state.UserId = state.EntryPage = state.ExitPage = "";
        state.StartedAt = state.LastActivityAt = state.EntryAt = state.ExitAt = default;
        state.PageViews = state.Events = 0;
        state.RecentPages.Clear();
    }
}
