using Analytics.Grains;
using Analytics.Grains.Windows;
using Xunit;
using static Analytics.UnitTests.Windows.WindowTestKit;

namespace Analytics.UnitTests.Windows;

/// <summary>Applying events: window assignment, counts, exact uniques and idempotency by (partition, offset).</summary>
public sealed class PageWindowsApplyTests
{
    [Fact]
    public void PageView_IsCountedInTheWindowOfItsMinute()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([View(T0.AddSeconds(42), offset: 0)], watermark: null, now: T0.AddSeconds(43));

        Assert.Equal(new ApplyOutcome(Applied: 1, Replayed: 0, Late: 0), outcome);
        var window = Assert.Single(windows.State.Open);
        Assert.Equal(T0, window.Minute);
        Assert.Equal(DateTimeKind.Utc, window.Minute.Kind);
        Assert.Equal(T0.AddMinutes(1), window.End);
        Assert.Equal(1, window.Views);
        Assert.Equal(1, window.Events);
        Assert.Single(window.Visitors);
        Assert.Equal(new Dictionary<string, long> { ["page_view"] = 1 }, window.EventsByType);
    }

    [Fact]
    public void EventAtTheLastTickOfAMinute_BelongsToThatMinute()
    {
        var windows = NewWindows();

        windows.Apply([View(T0.AddMinutes(1).AddTicks(-1), 0)], null, T0.AddMinutes(1));

        Assert.Equal([T0], windows.OpenMinutes());
    }

    [Fact]
    public void EventAt59_999Seconds_AndEventAt60Seconds_LandInConsecutiveWindows()
    {
        var windows = NewWindows();

        windows.Apply([View(T0.AddMilliseconds(59_999), 0), View(T0.AddSeconds(60), 1)], null, T0.AddSeconds(61));

        Assert.Equal([Minute(0), Minute(1)], windows.OpenMinutes());
        Assert.All(windows.State.Open, w => Assert.Equal(1, w.Views));
    }

    [Fact]
    public void EventAtTheFirstTickOfAMinute_BelongsToThatMinute()
    {
        var windows = NewWindows();

        windows.Apply([View(T0, 0)], null, T0);

        Assert.Equal([T0], windows.OpenMinutes());
    }

    [Theory]
    [InlineData("2026-06-22T10:00:00.0000000Z", "2026-06-22T10:00:00.0000000Z")]
    [InlineData("2026-06-22T10:00:00.0000001Z", "2026-06-22T10:00:00.0000000Z")]
    [InlineData("2026-06-22T10:00:59.9999999Z", "2026-06-22T10:00:00.0000000Z")]
    [InlineData("2026-06-22T10:01:00.0000000Z", "2026-06-22T10:01:00.0000000Z")]
    [InlineData("2026-06-22T23:59:59.9990000Z", "2026-06-22T23:59:00.0000000Z")]
    [InlineData("2026-12-31T23:59:59.9999999Z", "2026-12-31T23:59:00.0000000Z")]
    public void MinuteOf_TruncatesToTheStartOfTheMinute_InUtc(string time, string expectedMinute)
    {
        var minute = PageWindows.MinuteOf(DateTime.Parse(time, null, System.Globalization.DateTimeStyles.RoundtripKind));

        Assert.Equal(DateTime.Parse(expectedMinute, null, System.Globalization.DateTimeStyles.RoundtripKind), minute);
        Assert.Equal(DateTimeKind.Utc, minute.Kind);
    }

    [Fact]
    public void ReplayedEvent_IsNotCountedTwice()
    {
        var windows = NewWindows();
        var batch = new[] { View(T0.AddSeconds(1), 10, "a"), View(T0.AddSeconds(2), 11, "b") };
        windows.Apply(batch, null, T0.AddSeconds(3));

        var replay = windows.Apply(batch, null, T0.AddSeconds(4));

        Assert.Equal(new ApplyOutcome(0, 2, 0), replay);
        var window = Assert.Single(windows.State.Open);
        Assert.Equal(2, window.Views);
        Assert.Equal(2, window.Events);
        Assert.Equal(2, window.Visitors.Count);
        Assert.Equal(2, windows.State.TotalEvents);
    }

    [Fact]
    public void ReplayOfAPartlyAppliedBatch_AppliesOnlyTheNewOffsets()
    {
        var windows = NewWindows();
        windows.Apply([View(T0.AddSeconds(1), 10), View(T0.AddSeconds(2), 11)], null, T0);

        var outcome = windows.Apply([View(T0.AddSeconds(1), 10), View(T0.AddSeconds(2), 11), View(T0.AddSeconds(3), 12)], null, T0);

        Assert.Equal(new ApplyOutcome(1, 2, 0), outcome);
        Assert.Equal(3, windows.State.Open[0].Views);
        Assert.Equal(12, windows.State.AppliedOffsets[0]);
    }

    [Fact]
    public void EventBelowTheAppliedOffset_IsSkipped_EvenIfNeverSeenBefore()
    {
        var windows = NewWindows();
        windows.Apply([View(T0.AddSeconds(1), 100)], null, T0);

        var outcome = windows.Apply([View(T0.AddSeconds(2), 99)], null, T0);

        Assert.Equal(new ApplyOutcome(0, 1, 0), outcome);
        Assert.Equal(1, windows.State.Open[0].Views);
    }

    [Fact]
    public void AppliedOffsets_AreTrackedPerPartition()
    {
        var windows = NewWindows();
        windows.Apply([View(T0.AddSeconds(1), 50, partition: 0)], null, T0);

        var outcome = windows.Apply(
            [View(T0.AddSeconds(2), 3, partition: 1), View(T0.AddSeconds(3), 50, partition: 0), View(T0.AddSeconds(4), 51, partition: 0)],
            null, T0);

        Assert.Equal(new ApplyOutcome(2, 1, 0), outcome);
        Assert.Equal(new Dictionary<int, long> { [0] = 51, [1] = 3 }, windows.State.AppliedOffsets);
        Assert.Equal(3, windows.State.Open[0].Views);
    }

    [Fact]
    public void SameOffsetTwiceInOneBatch_IsCountedOnce()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([View(T0.AddSeconds(1), 7), View(T0.AddSeconds(1), 7)], null, T0);

        Assert.Equal(new ApplyOutcome(1, 1, 0), outcome);
        Assert.Equal(1, windows.State.TotalEvents);
    }

    [Fact]
    public void OtherEventTypes_AreCountedByType_ButNotAsViewsOrVisitors()
    {
        var windows = NewWindows();

        windows.Apply(
        [
            Event(T0.AddSeconds(1), 0, "click", "a"),
            Event(T0.AddSeconds(2), 1, "click", "b"),
            Event(T0.AddSeconds(3), 2, "scroll", "c"),
            View(T0.AddSeconds(4), 3, "d"),
        ], null, T0);

        var window = Assert.Single(windows.State.Open);
        Assert.Equal(1, window.Views);
        Assert.Equal(4, window.Events);
        Assert.Single(window.Visitors);
        Assert.Equal(new Dictionary<string, long> { ["click"] = 2, ["scroll"] = 1, ["page_view"] = 1 }, window.EventsByType);
    }

    [Fact]
    public void EventTypes_AreCaseSensitive_SoOnlyLowercasePageViewIsAView()
    {
        var windows = NewWindows();

        windows.Apply([Event(T0, 0, "Page_View"), Event(T0, 1, "page_view")], null, T0);

        var window = windows.State.Open[0];
        Assert.Equal(1, window.Views);
        Assert.Equal(new Dictionary<string, long> { ["Page_View"] = 1, ["page_view"] = 1 }, window.EventsByType);
    }

    [Fact]
    public void UniqueVisitors_AreExact_CountingEachVisitorOnce()
    {
        var windows = NewWindows();

        windows.Apply(
        [
            View(T0.AddSeconds(1), 0, "alice"), View(T0.AddSeconds(2), 1, "bob"), View(T0.AddSeconds(3), 2, "alice"),
            View(T0.AddSeconds(4), 3, "carol"), View(T0.AddSeconds(5), 4, "bob"),
        ], null, T0);

        var snapshot = windows.Snapshot().OpenWindows[0];
        Assert.Equal(5, snapshot.Views);
        Assert.Equal(3, snapshot.UniqueVisitors);
    }

    [Fact]
    public void UniqueVisitors_AreExact_ForManyDistinctVisitors()
    {
        var windows = NewWindows();
        var events = Enumerable.Range(0, 20_000).Select(i => View(T0.AddMilliseconds(i), i, $"visitor-{i % 12_345}")).ToList();

        windows.Apply(events, null, T0);

        Assert.Equal(20_000, windows.State.Open[0].Views);
        Assert.Equal(12_345, windows.State.Open[0].Visitors.Count);
    }

    [Fact]
    public void UniqueVisitors_AreCountedPerWindow()
    {
        var windows = NewWindows();

        windows.Apply([View(T0.AddSeconds(1), 0, "alice"), View(T0.AddSeconds(61), 1, "alice"), View(T0.AddSeconds(62), 2, "bob")], null, T0);

        Assert.Equal([1, 2], windows.State.Open.Select(w => w.Visitors.Count));
    }

    [Fact]
    public void VisitorsOfOtherEventTypes_AreNotUniqueVisitors()
    {
        var windows = NewWindows();

        windows.Apply([Event(T0.AddSeconds(1), 0, "click", "clicker"), View(T0.AddSeconds(2), 1, "viewer")], null, T0);

        Assert.Equal(1, windows.Snapshot().OpenWindows[0].UniqueVisitors);
    }

    [Fact]
    public void PageViewWithoutUserId_IsAViewButNotAVisitor()
    {
        var windows = NewWindows();

        windows.Apply([View(T0.AddSeconds(1), 0, user: ""), View(T0.AddSeconds(2), 1, user: "")], null, T0);

        var window = windows.State.Open[0];
        Assert.Equal(2, window.Views);
        Assert.Empty(window.Visitors);
    }

    [Fact]
    public void OutOfOrderEvents_OpenTheirOwnWindows_KeptOldestFirst()
    {
        var windows = NewWindows(new PipelineOptions { AllowedLateness = TimeSpan.FromMinutes(5) });

        windows.Apply([View(Minute(2), 0), View(Minute(0), 1), View(Minute(4), 2), View(Minute(1), 3)], null, Minute(4));

        Assert.Equal([Minute(0), Minute(1), Minute(2), Minute(4)], windows.OpenMinutes());
        Assert.All(windows.State.Open, w => Assert.Equal(1, w.Views));
    }

    [Fact]
    public void EventForAnOlderOpenWindow_IsAddedToIt_NotLate()
    {
        var windows = NewWindows();
        windows.Apply([View(Minute(0).AddSeconds(50), 0, "a"), View(Minute(1).AddSeconds(5), 1, "b")], watermark: Minute(0).AddSeconds(40), now: Minute(1).AddSeconds(5));

        var outcome = windows.Apply([View(Minute(0).AddSeconds(55), 2, "c")], watermark: Minute(0).AddSeconds(45), now: Minute(1).AddSeconds(6));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([2L, 1L], windows.State.Open.Select(w => w.Views));
        Assert.Equal(2, windows.State.Open[0].Visitors.Count);
    }

    [Fact]
    public void Apply_ReportsAppliedReplayedAndLateSeparately()
    {
        var windows = NewWindows();
        windows.Apply([View(Minute(5), 10)], null, Minute(5));

        var outcome = windows.Apply(
            [View(Minute(5), 10), View(Minute(5).AddSeconds(1), 11), View(Minute(1), 12), View(Minute(6), 13)],
            watermark: Minute(4), now: Minute(6));

        Assert.Equal(new ApplyOutcome(Applied: 2, Replayed: 1, Late: 1), outcome);
        Assert.Equal(4, windows.State.TotalEvents);
        Assert.Equal(1, windows.State.TotalLateEvents);
    }

    [Fact]
    public void EmptyBatch_ChangesNothingButTheWatermark()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([], watermark: Minute(3), now: Minute(3));

        Assert.Equal(default, outcome);
        Assert.Equal(Minute(3), windows.State.Watermark);
        Assert.Empty(windows.State.Open);
        Assert.Empty(windows.State.AppliedOffsets);
    }

    [Fact]
    public void Watermark_NeverMovesBackwards_AndNullKeepsIt()
    {
        var windows = NewWindows();

        windows.Apply([], watermark: Minute(5), now: Minute(5));
        windows.Apply([], watermark: Minute(2), now: Minute(5));
        windows.CloseDue(watermark: null, now: Minute(5));
        windows.CloseDue(watermark: Minute(4), now: Minute(5));

        Assert.Equal(Minute(5), windows.State.Watermark);
        Assert.Equal(Minute(5), windows.Snapshot().Watermark);
    }

    [Fact]
    public void Snapshot_ShowsOpenWindowsAsNotFinal_AndRecentOnesAsFinal_WithTotals()
    {
        var windows = NewWindows();
        windows.Apply([View(Minute(0), 0, "a"), Event(Minute(0), 1, "click", "b"), View(Minute(1), 2, "c"), View(Minute(1), 3, "d")], null, Minute(1));
        windows.CloseDue(watermark: Minute(1), now: Minute(1));
        windows.Apply([View(Minute(0), 4)], null, Minute(1)); // late

        var live = windows.Snapshot();

        Assert.Equal(Page, live.Page);
        Assert.Equal(5, live.TotalEvents);
        Assert.Equal(1, live.TotalLateEvents);
        Assert.Equal(Minute(1), live.Watermark);
        var open = Assert.Single(live.OpenWindows);
        Assert.Equal((Minute(1), 2L, 2L, 2L, 0L, false), (open.Minute, open.Views, open.UniqueVisitors, open.Events, open.LateEvents, open.IsFinal));
        var recent = Assert.Single(live.RecentWindows);
        Assert.Equal((Minute(0), 1L, 1L, 2L, 1L, true), (recent.Minute, recent.Views, recent.UniqueVisitors, recent.Events, recent.LateEvents, recent.IsFinal));
        Assert.Equal(new Dictionary<string, long> { ["page_view"] = 1, ["click"] = 1 }, recent.EventsByType);
    }

    [Fact]
    public void Snapshot_IsACopy_ThatLaterEventsDoNotChange()
    {
        var windows = NewWindows();
        windows.Apply([View(Minute(0), 0, "a")], null, Minute(0));
        var before = windows.Snapshot();

        windows.Apply([View(Minute(0), 1, "b"), Event(Minute(0), 2, "click", "b")], null, Minute(0));

        var open = before.OpenWindows[0];
        Assert.Equal((1L, 1L, 1L), (open.Views, open.UniqueVisitors, open.Events));
        Assert.Equal(new Dictionary<string, long> { ["page_view"] = 1 }, open.EventsByType);
    }
}
