using Analytics.Grains;
using Analytics.Grains.Windows;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Analytics.UnitTests.Windows.WindowTestKit;

namespace Analytics.UnitTests.Windows;

/// <summary>When windows become final: by watermark, by wall clock, and what ClosedThrough means afterwards.</summary>
public sealed class PageWindowsClosingTests
{
    [Fact]
    public void Window_StaysOpen_UntilTheWatermarkReachesItsEnd()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0);

        var closedJustBefore = windows.CloseDue(watermark: Minute(1).AddTicks(-1), now: Minute(1));
        var closedAtEnd = windows.CloseDue(watermark: Minute(1), now: Minute(1));

        Assert.Equal(0, closedJustBefore);
        Assert.Equal(1, closedAtEnd);
        Assert.Empty(windows.State.Open);
        Assert.Equal([Minute(0)], windows.RecentMinutes());
    }

    [Fact]
    public void WallClock_ClosesAWindow_AtEndPlusAllowedLatenessPlusGrace_WithoutAnyWatermark()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(Minute(0).AddSeconds(30)));
        var options = new PipelineOptions { AllowedLateness = TimeSpan.FromSeconds(10), WallClockGrace = TimeSpan.FromSeconds(2) };
        var windows = NewWindows(options);
        windows.Apply([View(Minute(0).AddSeconds(30), 0)], watermark: null, now: clock.GetUtcNow().UtcDateTime);

        clock.SetUtcNow(new DateTimeOffset(Minute(1).AddSeconds(12).AddTicks(-1)));
        var closedJustBefore = windows.CloseDue(watermark: null, now: clock.GetUtcNow().UtcDateTime);
        clock.Advance(TimeSpan.FromTicks(1));
        var closedAtDeadline = windows.CloseDue(watermark: null, now: clock.GetUtcNow().UtcDateTime);

        Assert.Equal(0, closedJustBefore);
        Assert.Equal(1, closedAtDeadline);
        Assert.Equal(Minute(1), windows.State.ClosedThrough);
        Assert.Equal(default, windows.State.Watermark);
    }

    [Fact]
    public void WallClock_ClosesAWindow_EvenWhenTheWatermarkIsFarBehind()
    {
        var windows = NewWindows(new PipelineOptions { AllowedLateness = TimeSpan.FromSeconds(5), WallClockGrace = TimeSpan.Zero });
        windows.OpenWindowsAt(0, 1);

        var closed = windows.CloseDue(watermark: Minute(-30), now: Minute(1).AddSeconds(5));

        Assert.Equal(1, closed);
        Assert.Equal([Minute(1)], windows.OpenMinutes());
    }

    [Fact]
    public void CloseDue_ClosesEveryWindowTheWatermarkPassed_OldestFirst_AndKeepsTheRest()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0, 1, 2, 3);

        var closed = windows.CloseDue(watermark: Minute(2).AddSeconds(30), now: Minute(2).AddSeconds(30));

        Assert.Equal(2, closed);
        Assert.Equal([Minute(2), Minute(3)], windows.OpenMinutes());
        Assert.Equal([Minute(0), Minute(1)], windows.RecentMinutes());
        Assert.Equal([Minute(0), Minute(1)], windows.PendingMinutes());
        Assert.Equal(Minute(2), windows.State.ClosedThrough);
    }

    [Fact]
    public void CloseDue_WithNothingDue_ReturnsZero_AndChangesNothing()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0);

        Assert.Equal(0, windows.CloseDue(watermark: null, now: Minute(0).AddSeconds(59)));
        Assert.Equal(0, NewWindows().CloseDue(Minute(100), Minute(100)));
        Assert.Equal([Minute(0)], windows.OpenMinutes());
        Assert.Empty(windows.State.PendingRollups);
        Assert.Equal(default, windows.State.ClosedThrough);
    }

    [Fact]
    public void ClosedWindow_BecomesAPendingRollupVersion1_WithItsExactCounts()
    {
        var windows = NewWindows();
        windows.Apply(
        [
            View(Minute(0).AddSeconds(1), 0, "a"), View(Minute(0).AddSeconds(2), 1, "b"), View(Minute(0).AddSeconds(3), 2, "a"),
            Event(Minute(0).AddSeconds(4), 3, "click", "c"),
        ], null, Minute(0));

        windows.CloseDue(Minute(1), Minute(1));

        var pending = Assert.Single(windows.State.PendingRollups);
        Assert.Null(pending.HandedOverAt);
        var rollup = pending.Rollup;
        Assert.Equal((Page, Minute(0), 3L, 2L, 4L, 0L, 1UL), (rollup.Page, rollup.Minute, rollup.Views, rollup.UniqueVisitors, rollup.Events, rollup.LateEvents, rollup.Version));
        Assert.Equal(new Dictionary<string, long> { ["page_view"] = 3, ["click"] = 1 }, rollup.EventsByType);
        var recent = Assert.Single(windows.State.Recent);
        Assert.True(recent.IsFinal);
        Assert.Equal((3L, 2L, 4L, 0L), (recent.Views, recent.UniqueVisitors, recent.Events, recent.LateEvents));
    }

    [Fact]
    public void ClosedThrough_IsTheEndOfTheNewestClosedWindow()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0, 2, 5);

        windows.CloseDue(watermark: Minute(4), now: Minute(4));

        Assert.Equal(Minute(3), windows.State.ClosedThrough);
        Assert.Equal([Minute(5)], windows.OpenMinutes());
    }

    [Fact]
    public void EventForAWindowTheWallClockClosed_IsLate_ThoughTheWatermarkIsBehind()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0);
        windows.CloseDue(watermark: Minute(0).AddSeconds(20), now: Minute(1).AddSeconds(12));

        var outcome = windows.Apply([View(Minute(0).AddSeconds(59), 1)], watermark: Minute(0).AddSeconds(21), now: Minute(1).AddSeconds(13));

        Assert.Equal(new ApplyOutcome(0, 0, 1), outcome);
        Assert.Empty(windows.State.Open);
        Assert.Equal(1, windows.State.Recent[0].Views);
    }

    [Fact]
    public void EventForAnOpenWindow_PastItsWallClockDeadline_ClosesIt_AndIsLate_WithoutATimerTick()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0);

        var justBefore = windows.Apply([View(Minute(0).AddSeconds(59), 0)], watermark: null, now: Minute(1).AddSeconds(12).AddTicks(-1));
        var atDeadline = windows.Apply([View(Minute(0).AddSeconds(59), 1)], watermark: null, now: Minute(1).AddSeconds(12));

        Assert.Equal(new ApplyOutcome(1, 0, 0), justBefore);
        Assert.Equal(new ApplyOutcome(0, 0, 1), atDeadline);
        Assert.Empty(windows.State.Open);
        var final = windows.State.Recent.Single();
        Assert.Equal((2L, 1L), (final.Views, final.LateEvents));
        Assert.Equal(Minute(0), windows.State.PendingLateEvents.Single().Minute);
    }

    [Fact]
    public void EventForANeverOpenedMinute_PastItsWallClockDeadline_IsLate_WithoutAnyWatermark()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([View(Minute(0).AddSeconds(30), 0)], watermark: null, now: Minute(5));

        Assert.Equal(new ApplyOutcome(0, 0, 1), outcome);
        Assert.Empty(windows.State.Open);
        Assert.Equal(default, windows.State.Watermark);
    }

    [Fact]
    public void WallClockDeadline_OnApply_FollowsTheConfiguredLatenessAndGrace()
    {
        var windows = NewWindows(new PipelineOptions { AllowedLateness = TimeSpan.FromMinutes(2), WallClockGrace = TimeSpan.Zero });

        var outcome = windows.Apply([View(Minute(0), 0), View(Minute(0), 1)], watermark: null, now: Minute(3).AddTicks(-1));
        var late = windows.Apply([View(Minute(0), 2)], watermark: null, now: Minute(3));

        Assert.Equal(new ApplyOutcome(2, 0, 0), outcome);
        Assert.Equal(new ApplyOutcome(0, 0, 1), late);
    }

    [Fact]
    public void WindowEndingAfterClosedThrough_StillAcceptsEvents()
    {
        var windows = NewWindows();
        windows.OpenWindowsAt(0);
        windows.CloseDue(watermark: Minute(1), now: Minute(1));

        var outcome = windows.Apply([View(Minute(1), 1)], watermark: Minute(1), now: Minute(1));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([Minute(1)], windows.OpenMinutes());
    }

    [Fact]
    public void EventBehindTheWatermark_IsLate_AndOpensNoWindow()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([View(Minute(3).AddSeconds(10), 0)], watermark: Minute(5), now: Minute(5));

        Assert.Equal(new ApplyOutcome(0, 0, 1), outcome);
        Assert.Empty(windows.State.Open);
        Assert.Equal(default, windows.State.ClosedThrough);
    }

    [Fact]
    public void EventWhoseWindowEndsExactlyAtTheWatermark_IsLate()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([View(Minute(0).AddSeconds(59), 0)], watermark: Minute(1), now: Minute(1));

        Assert.Equal(new ApplyOutcome(0, 0, 1), outcome);
    }

    [Fact]
    public void EventWhoseWindowEndsJustAfterTheWatermark_IsNotLate_EvenIfItsTimeIsBehindTheWatermark()
    {
        var windows = NewWindows();

        var outcome = windows.Apply([View(Minute(0).AddSeconds(1), 0)], watermark: Minute(1).AddTicks(-1), now: Minute(1));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([Minute(0)], windows.OpenMinutes());
    }

    [Fact]
    public void RecentWindows_KeepOnlyTheNewestFinalWindows_OldestFirst()
    {
        var windows = NewWindows(new PipelineOptions { RecentWindows = 3 });
        windows.OpenWindowsAt(0, 1, 2, 3, 4);

        windows.CloseDue(watermark: Minute(5), now: Minute(5));

        Assert.Equal([Minute(2), Minute(3), Minute(4)], windows.RecentMinutes());
        Assert.Equal([Minute(0), Minute(1), Minute(2), Minute(3), Minute(4)], windows.PendingMinutes());
    }

    [Fact]
    public void RecentWindowsZero_KeepsNoFinalWindow_ButStillIssuesRollups()
    {
        var windows = NewWindows(new PipelineOptions { RecentWindows = 0 });
        windows.OpenWindowsAt(0);

        windows.CloseDue(Minute(1), Minute(1));

        Assert.Empty(windows.State.Recent);
        Assert.Equal([Minute(0)], windows.PendingMinutes());
    }

    [Fact]
    public void FinalAfterEnd_IsAllowedLatenessPlusWallClockGrace()
    {
        var options = new PipelineOptions { AllowedLateness = TimeSpan.FromSeconds(7), WallClockGrace = TimeSpan.FromMilliseconds(1500) };

        Assert.Equal(TimeSpan.FromMilliseconds(8500), options.FinalAfterEnd);
        Assert.Equal(TimeSpan.FromSeconds(12), new PipelineOptions().FinalAfterEnd);
    }
}
