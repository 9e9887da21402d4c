using Analytics.Grains;
using Analytics.Grains.Windows;
using Xunit;
using static Analytics.UnitTests.Windows.WindowTestKit;

namespace Analytics.UnitTests.Windows;

/// <summary>The MaxOpenWindows cap: bounded state, where a newer window makes the oldest final early.</summary>
public sealed class PageWindowsCapTests
{
    // A long allowed lateness, so that in these tests only the cap (never the wall clock) makes a window final.
    private static readonly PipelineOptions CapOfThree = new() { MaxOpenWindows = 3, AllowedLateness = TimeSpan.FromMinutes(10) };

    [Fact]
    public void BelowTheCap_NoWindowIsClosedEarly()
    {
        var windows = NewWindows(CapOfThree);

        windows.OpenWindowsAt(0, 1, 2);

        Assert.Equal([Minute(0), Minute(1), Minute(2)], windows.OpenMinutes());
        Assert.Empty(windows.State.PendingRollups);
    }

    [Fact]
    public void AtTheCap_ANewerWindow_MakesTheOldestFinalEarly()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(0, 1, 2);

        var outcome = windows.Apply([View(Minute(3), 0)], watermark: null, now: Minute(3));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([Minute(1), Minute(2), Minute(3)], windows.OpenMinutes());
        Assert.Equal([Minute(0)], windows.RecentMinutes());
        Assert.Equal([Minute(0)], windows.PendingMinutes());
        Assert.Equal(1UL, windows.State.PendingRollups[0].Rollup.Version);
        Assert.Equal(Minute(1), windows.State.ClosedThrough);
    }

    [Fact]
    public void AtTheCap_AMuchNewerWindow_ClosesOnlyOneWindow()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(0, 1, 2);

        windows.Apply([View(Minute(60), 0)], null, Minute(2).AddSeconds(30));

        Assert.Equal([Minute(1), Minute(2), Minute(60)], windows.OpenMinutes());
        Assert.Equal(3, windows.State.Open.Count);
    }

    [Fact]
    public void AtTheCap_AnEventForAnExistingWindow_ClosesNothing()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(0, 1, 2);

        var outcome = windows.Apply([View(Minute(0).AddSeconds(59), 0, "new")], null, Minute(2));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([Minute(0), Minute(1), Minute(2)], windows.OpenMinutes());
        Assert.Equal(2, windows.State.Open[0].Views);
        Assert.Empty(windows.State.PendingRollups);
    }

    [Fact]
    public void AtTheCap_AnEventOlderThanEveryOpenWindow_IsLate_AndClosesNothing()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(5, 6, 7);

        var outcome = windows.Apply([View(Minute(2), 0)], watermark: null, now: Minute(7));

        Assert.Equal(new ApplyOutcome(0, 0, 1), outcome);
        Assert.Equal([Minute(5), Minute(6), Minute(7)], windows.OpenMinutes());
        Assert.Empty(windows.State.PendingRollups);
        Assert.Equal(Minute(2), windows.State.PendingLateEvents.Single().Minute);
    }

    [Fact]
    public void AtTheCap_AMissingWindowBetweenOpenOnes_ClosesTheOldest_AndIsInsertedInOrder()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(0, 2, 4);

        var outcome = windows.Apply([View(Minute(3), 0)], null, Minute(4));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([Minute(2), Minute(3), Minute(4)], windows.OpenMinutes());
        Assert.Equal([Minute(0)], windows.RecentMinutes());
        Assert.Equal(Minute(1), windows.State.ClosedThrough);
    }

    [Fact]
    public void AtTheCap_AMissingWindowRightAfterTheOldest_ReplacesTheOldestAtTheFront()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(0, 2, 4);

        var outcome = windows.Apply([View(Minute(1), 0)], null, Minute(4));

        Assert.Equal(new ApplyOutcome(1, 0, 0), outcome);
        Assert.Equal([Minute(1), Minute(2), Minute(4)], windows.OpenMinutes());
        Assert.Equal([Minute(0)], windows.RecentMinutes());
    }

    [Fact]
    public void AfterAnEarlyClose_AnEventForTheClosedMinute_IsLate_AndBumpsItsVersion()
    {
        var windows = NewWindows(CapOfThree);
        windows.OpenWindowsAt(0, 1, 2);
        windows.Apply([View(Minute(3), 0)], null, Minute(3));

        var outcome = windows.Apply([View(Minute(0).AddSeconds(59), 1)], watermark: null, now: Minute(3));

        Assert.Equal(new ApplyOutcome(0, 0, 1), outcome);
        var rollup = windows.State.PendingRollups.Single().Rollup;
        Assert.Equal((Minute(0), 1L, 1L, 2UL), (rollup.Minute, rollup.Views, rollup.LateEvents, rollup.Version));
    }

    [Fact]
    public void ManyMinutesInOneBatch_NeverExceedTheCap()
    {
        var windows = NewWindows(CapOfThree);

        var outcome = windows.Apply(Enumerable.Range(0, 10).Select(i => View(Minute(i), i)), null, Minute(10));

        Assert.Equal(new ApplyOutcome(10, 0, 0), outcome);
        Assert.Equal([Minute(7), Minute(8), Minute(9)], windows.OpenMinutes());
        Assert.Equal(Enumerable.Range(0, 7).Select(Minute), windows.PendingMinutes());
        Assert.All(windows.State.PendingRollups, p => Assert.Equal(1, p.Rollup.Views));
    }

    [Fact]
    public void DefaultCap_KeepsFifteenOpenWindows()
    {
        var windows = NewWindows();

        windows.OpenWindowsAt([.. Enumerable.Range(0, 16)]);

        Assert.Equal(15, windows.State.Open.Count);
        Assert.Equal(Minute(1), windows.State.Open[0].Minute);
        Assert.Equal([Minute(0)], windows.PendingMinutes());
    }
}
