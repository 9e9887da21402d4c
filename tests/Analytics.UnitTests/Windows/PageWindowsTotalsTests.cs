using Xunit;
using static Analytics.UnitTests.Windows.WindowTestKit;

namespace Analytics.UnitTests.Windows;

public sealed class PageWindowsTotalsTests
{
    [Fact]
    public void Totals_UniteVisitorsAcrossOpenAndFinalWindows_Exactly()
    {
        var windows = NewWindows();
        windows.Apply([View(Minute(0).AddSeconds(1), 1, "a"), View(Minute(0).AddSeconds(2), 2, "b")], null, Minute(0).AddSeconds(2));
        windows.CloseDue(Minute(1), Minute(1).AddSeconds(1));
        windows.Apply([View(Minute(1).AddSeconds(1), 3, "b"), View(Minute(1).AddSeconds(2), 4, "c")], null, Minute(1).AddSeconds(2));

        var totals = windows.Totals([Minute(0), Minute(1)]);

        Assert.Equal((4L, 3L, true), (totals[0].Views, totals[0].UniqueVisitors, totals[0].UniqueVisitorsExact));
        Assert.Equal((2L, 2L, true), (totals[1].Views, totals[1].UniqueVisitors, totals[1].UniqueVisitorsExact));
    }

    [Fact]
    public void Totals_AreMarkedInexact_WhenAFinalWindowsVisitorsAreNoLongerInMemory()
    {
        var state = NewWindows().State;
        var first = new Analytics.Grains.Windows.PageWindows(Page, state, new Analytics.Grains.PipelineOptions());
        first.Apply([View(Minute(0).AddSeconds(1), 1, "a")], null, Minute(0).AddSeconds(1));
        first.CloseDue(Minute(1), Minute(1));

        // A re-activated grain has the persisted state but not the in-memory visitor sets of final windows.
        var reactivated = new Analytics.Grains.Windows.PageWindows(Page, state, new Analytics.Grains.PipelineOptions());
        var totals = reactivated.Totals([Minute(0)]);

        Assert.Equal((1L, false), (totals[0].Views, totals[0].UniqueVisitorsExact));
    }
}
