using Analytics.Grains.Anomalies;
using Xunit;

namespace Analytics.UnitTests.Anomalies;

public sealed class RateSeriesTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);
    private static readonly long S0 = RateSeries.SecondOf(T0);

    [Fact]
    public void Events_AreBucketedByTheWholeUtcSecondOfTheirEventTime()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.Add(T0.AddMilliseconds(999), 2);
        series.Add(T0.AddSeconds(1), 3);
        series.Add(T0.AddSeconds(1.5), 1);

        var completed = new List<SecondCount>();
        series.AdvanceTo(T0.AddSeconds(10), completed);

        Assert.Equal([new SecondCount(S0, 2), new SecondCount(S0 + 1, 4)], completed);
    }

    [Fact]
    public void ASecond_CompletesOnlyOnceTheSettleDelayHasPassed()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.Add(T0.AddMilliseconds(100), 1);
        var completed = new List<SecondCount>();

        Assert.Equal(S0 - 1, series.AdvanceTo(T0.AddSeconds(2).AddTicks(-1), completed));
        Assert.Empty(completed);

        Assert.Equal(S0, series.AdvanceTo(T0.AddSeconds(2), completed));
        Assert.Equal([new SecondCount(S0, 1)], completed);
    }

    [Fact]
    public void EventsOutOfOrderWithinTheSettleDelay_LandInTheirOwnSecond()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.AdvanceTo(T0, []);
        var completed = new List<SecondCount>();

        // Batches every 250 ms; each carries its own slice's events and stragglers sent 0.9 s before.
        for (var tick = 1; tick <= 12; tick++)
        {
            var now = T0.AddMilliseconds(250 * tick);
            Assert.Equal(RecordOutcome.Counted, series.Add(now.AddMilliseconds(-100), 10));
            Assert.Equal(RecordOutcome.Counted, series.Add(now.AddMilliseconds(-900), 1));
            series.AdvanceTo(now, completed);
        }

        // Second S0 got the batches of ticks 1-4 and the stragglers that arrived with ticks 4-7.
        Assert.Equal(44, completed.Single(c => c.Second == S0).Count);
        Assert.Equal(3, completed.Single(c => c.Second == S0 - 1).Count);
    }

    [Fact]
    public void EventsForACompletedSecond_AreReportedLateAndNotCounted()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.AdvanceTo(T0.AddSeconds(5), []);

        Assert.Equal(RecordOutcome.Late, series.Add(T0.AddSeconds(3.5), 1));
        Assert.Equal(RecordOutcome.Counted, series.Add(T0.AddSeconds(4), 1));
        Assert.Equal(S0 + 4, series.FirstOpenSecond);
    }

    [Fact]
    public void EventsBeyondTheOpenSeconds_AreRejectedAsTooFarAhead()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.AdvanceTo(T0.AddSeconds(2), []);

        Assert.Equal(RecordOutcome.Counted, series.Add(T0.AddSeconds(1 + RateSeries.OpenCapacity - 1), 1));
        Assert.Equal(RecordOutcome.TooFarAhead, series.Add(T0.AddSeconds(1 + RateSeries.OpenCapacity), 1));
    }

    [Fact]
    public void ALongPause_CompletesAllSecondsAtOnceAndReportsOnlyThoseWithEvents()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.Add(T0, 7);

        var completed = new List<SecondCount>();
        var through = series.AdvanceTo(T0.AddDays(1), completed);

        Assert.Equal(S0 + 86_400 - 2, through);
        Assert.Equal([new SecondCount(S0, 7)], completed);
        Assert.Equal(RecordOutcome.Counted, series.Add(T0.AddDays(1), 1));
    }

    [Fact]
    public void AClockGoingBack_CompletesNothing()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(1));
        series.AdvanceTo(T0.AddSeconds(10), []);
        series.Add(T0.AddSeconds(9), 1);

        var completed = new List<SecondCount>();
        Assert.Equal(S0 + 8, series.AdvanceTo(T0, completed));
        Assert.Empty(completed);
    }

    [Fact]
    public void SnapshotAndRestore_KeepTheOpenCounts()
    {
        var series = new RateSeries(TimeSpan.FromSeconds(2));
        series.AdvanceTo(T0, []);
        series.Add(T0.AddSeconds(-2), 3);
        series.Add(T0.AddSeconds(1), 5);

        var state = series.Snapshot();
        Assert.Equal(S0 - 2, state.FirstOpenSecond);
        Assert.Equal([3L, 0, 0, 5], state.OpenCounts);

        var restored = RateSeries.Restore(TimeSpan.FromSeconds(2), state);
        var completed = new List<SecondCount>();
        restored.AdvanceTo(T0.AddSeconds(4), completed);
        Assert.Equal([new SecondCount(S0 - 2, 3), new SecondCount(S0 + 1, 5)], completed);
    }

    [Fact]
    public void SecondOf_FloorsAndTakesUnspecifiedAsUtc()
    {
        Assert.Equal(S0, RateSeries.SecondOf(DateTime.SpecifyKind(T0.AddMilliseconds(999.9), DateTimeKind.Unspecified)));
        Assert.Equal(-1, RateSeries.SecondOf(DateTime.UnixEpoch.AddTicks(-1)));
        Assert.Equal(T0, RateSeries.StartOf(S0));
    }
}
