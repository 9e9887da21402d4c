using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Events;
using Analytics.Grains.Sessions;
using Xunit;

namespace Analytics.UnitTests.Sessions;

public sealed class SessionTrackerTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    private static AnalyticsEvent Event(string page, int secondsAfterT0, long offset, string type = "page_view", int partition = 0) => new()
    {
        EventType = type,
        Page = page,
        UserId = "u-1",
        SessionId = "s-1",
        Timestamp = T0.AddSeconds(secondsAfterT0),
        Partition = partition,
        Offset = offset,
    };

    private static SessionTracker NewTracker(SessionOptions? options = null) => new("s-1", new SessionState(), options ?? new SessionOptions());

    private static List<SessionRow> ApplyAll(SessionTracker tracker, params AnalyticsEvent[] events) =>
        events.Select(tracker.Apply).OfType<SessionRow>().ToList();

    [Fact]
    public void ASession_TracksStartLastActivityCountsAndEntryAndExitPages()
    {
        var tracker = NewTracker();

        ApplyAll(tracker, Event("/a", 0, 1), Event("/b", 10, 2), Event("/b", 20, 3, "click"), Event("/c", 30, 4));

        var row = tracker.ToRow();
        Assert.Equal(("s-1", "u-1", T0, T0.AddSeconds(30), 30_000L), (row.SessionId, row.UserId, row.StartedAt, row.EndedAt, row.DurationMs));
        Assert.Equal((3, 4, "/a", "/c", false), (row.PageCount, row.EventCount, row.EntryPage, row.ExitPage, row.IsBounce));
    }

    [Fact]
    public void OutOfOrderEvents_StillGiveTheEarliestEntryAndLatestExit()
    {
        var tracker = NewTracker();

        ApplyAll(tracker, Event("/middle", 10, 1), Event("/last", 20, 2), Event("/first", 0, 3));

        var row = tracker.ToRow();
        Assert.Equal(("/first", "/last", T0, T0.AddSeconds(20)), (row.EntryPage, row.ExitPage, row.StartedAt, row.EndedAt));
    }

    [Fact]
    public void OnePageView_IsABounce()
    {
        var tracker = NewTracker();
        ApplyAll(tracker, Event("/a", 0, 1), Event("/a", 3, 2, "scroll"));
        Assert.True(tracker.ToRow().IsBounce);
    }

    [Fact]
    public void AnEventAfterTheInactivityTimeout_ClosesTheSession_AndStartsANewGeneration()
    {
        var tracker = NewTracker(new SessionOptions { InactivityTimeout = TimeSpan.FromMinutes(30) });
        ApplyAll(tracker, Event("/a", 0, 1), Event("/b", 60, 2));

        var closed = ApplyAll(tracker, Event("/c", 60 + 30 * 60, 3));

        var old = Assert.Single(closed);
        Assert.Equal(("s-1", 2, "/b"), (old.SessionId, old.PageCount, old.ExitPage));
        var current = tracker.ToRow();
        Assert.Equal(("s-1#2", 1, "/c", "/c"), (current.SessionId, current.PageCount, current.EntryPage, current.ExitPage));
    }

    [Fact]
    public void IsClosedAt_FollowsTheInactivityTimeout()
    {
        var tracker = NewTracker(new SessionOptions { InactivityTimeout = TimeSpan.FromMinutes(30) });
        ApplyAll(tracker, Event("/a", 0, 1));

        Assert.False(tracker.IsClosedAt(T0.AddMinutes(30).AddTicks(-1)));
        Assert.True(tracker.IsClosedAt(T0.AddMinutes(30)));
        Assert.True(tracker.Snapshot(T0.AddHours(1)).IsClosed);
    }

    [Fact]
    public void RecentPages_AreDistinct_MostRecentLast_AndCapped()
    {
        var tracker = NewTracker(new SessionOptions { MaxRecentPages = 3 });

        ApplyAll(tracker, Event("/a", 0, 1), Event("/b", 1, 2), Event("/a", 2, 3), Event("/c", 3, 4), Event("/d", 4, 5));

        Assert.Equal(["/a", "/c", "/d"], tracker.Snapshot(T0).RecentPages);
    }

    [Fact]
    public void TheRowVersion_GrowsWithEveryAppliedEvent()
    {
        var tracker = NewTracker();
        ApplyAll(tracker, Event("/a", 0, 1));
        var first = tracker.ToRow().Version;
        ApplyAll(tracker, Event("/b", 1, 2));
        Assert.True(tracker.ToRow().Version > first);
        Assert.True(tracker.ToRow(isClosed: true).Version > tracker.ToRow().Version);
    }

    [Fact]
    public void SessionOptions_Validation_NamesTheSetting()
    {
        var result = new SessionOptionsValidator().Validate(null, new SessionOptions { InactivityTimeout = TimeSpan.Zero, MaxRecentPages = 0 });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Sessions:InactivityTimeout", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Sessions:MaxRecentPages", StringComparison.Ordinal));
    }

    [Fact]
    public void AClosedSession_OffersItsFinalRowOnce_AndAnEventAfterwardsStartsTheNextGenerationWithoutAnotherClosedRow()
    {
        var tracker = NewTracker();
        ApplyAll(tracker, Event("/a", 0, 1), Event("/b", 10, 2));

        var final = tracker.Close();

        Assert.Equal(("s-1", 2, tracker.ToRow().Version + 1), (final.SessionId, final.PageCount, final.Version));
        Assert.True(tracker.IsClosedAt(T0));
        Assert.Empty(ApplyAll(tracker, Event("/c", 40 * 60, 3)));
        Assert.Equal(("s-1#2", 1, false), (tracker.ToRow().SessionId, tracker.ToRow().PageCount, tracker.State.Closed));
    }

    [Fact]
    public void ATombstone_IsForgettableAfterTheTimeoutPlusItsRetention_AndIndexedFromThen()
    {
        var options = new SessionOptions { InactivityTimeout = TimeSpan.FromMinutes(30), TombstoneRetention = TimeSpan.FromHours(1) };
        var tracker = NewTracker(options);
        ApplyAll(tracker, Event("/a", 0, 1));
        Assert.Equal(T0, tracker.DueAt);
        Assert.False(tracker.IsForgettableAt(T0.AddDays(1)));

        tracker.Close();

        Assert.Equal(T0.AddHours(1), tracker.DueAt);
        Assert.False(tracker.IsForgettableAt(T0.AddMinutes(90).AddTicks(-1)));
        Assert.True(tracker.IsForgettableAt(T0.AddMinutes(90)));
    }
}
