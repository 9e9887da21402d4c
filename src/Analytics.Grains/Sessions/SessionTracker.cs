using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Events;
using Analytics.Contracts.Sessions;

namespace Analytics.Grains.Sessions;

/// <summary>
/// The session rules over <see cref="SessionState"/> (pure logic): idempotent application by Kafka offset,
/// out-of-order events (start is the earliest, exit the latest page view), inactivity closing and a new
/// generation when the same id comes back after it closed.
/// </summary>
public sealed class SessionTracker(string sessionId, SessionState state, SessionOptions options)
{
    /// <summary>The state this instance works on.</summary>
    public SessionState State => state;

    /// <summary>
    /// Applies events; returns the rows of sessions that closed because an event came after the inactivity
    /// timeout (the id starts a new generation), and whether anything changed.
    /// </summary>
    public (bool Changed, List<SessionRow> Closed) Apply(IEnumerable<AnalyticsEvent> events)
    {
        var changed = false;
        var closed = new List<SessionRow>();
        foreach (var evt in events)
        {
            if (state.AppliedOffsets.TryGetValue(evt.Partition, out var applied) && evt.Offset <= applied) continue;
            state.AppliedOffsets[evt.Partition] = evt.Offset;
            if (state.HasStarted && evt.Timestamp >= state.LastActivityAt + options.InactivityTimeout)
            {
                closed.Add(ToRow(isClosed: true));
                StartNextGeneration();
            }
            Add(evt);
            changed = true;
        }
        return (changed, closed);
    }

    /// <summary>Whether the session is closed at <paramref name="eventTimeNow"/> (the watermark or clock).</summary>
    public bool IsClosedAt(DateTime eventTimeNow) => state.HasStarted && eventTimeNow >= state.LastActivityAt + options.InactivityTimeout;

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
        // Applied offsets carry over: they guard the id against replays whatever its generation.
        state.Generation++;
        state.UserId = state.EntryPage = state.ExitPage = "";
        state.StartedAt = state.LastActivityAt = state.EntryAt = state.ExitAt = default;
        state.PageViews = state.Events = 0;
        state.RecentPages.Clear();
    }
}
