using System.Text.Json;
using Analytics.Grains.Anomalies;
using Xunit;

namespace Analytics.UnitTests.Anomalies;

/// <summary>The detector fed completed seconds directly, so every count is known.</summary>
public sealed class AnomalyDetectorTests
{
    private static readonly long S0 = RateSeries.SecondOf(new DateTime(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc));

    [Fact]
    public void AnIncident_RaisesExactlyOneStartAndOneEnd()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Poisson(600, 100);
        var spikeStart = feed.NextSecond;
        feed.Poisson(30, 400);
        var spikeEnd = feed.NextSecond;
        feed.Poisson(300, 100);

        Assert.Equal(2, feed.Events.Count);
        var started = Assert.IsType<AnomalyStarted>(feed.Events[0]);
        var ended = Assert.IsType<AnomalyEnded>(feed.Events[1]);
        Assert.Equal(AnomalyDirection.Spike, started.Direction);
        Assert.Equal(RateSeries.StartOf(spikeStart), started.StartedAt);
        Assert.Equal($"page:20260622T101000Z:/docs", started.IncidentId);
        Assert.InRange(started.ZScore, 3, double.MaxValue);
        Assert.InRange(started.BaselineMean, 95, 105);
        Assert.Equal((started.ObservedRate - started.BaselineMean) / started.BaselineStdDev, started.ZScore, 12);
        Assert.Equal(started.IncidentId, ended.IncidentId);
        // The first calm second is the one whose evaluation window holds no spike second any more.
        Assert.Equal(RateSeries.StartOf(spikeEnd + 3), ended.EndedAt);
        Assert.InRange(ended.PeakRate, 350, 450);
    }

    [Fact]
    public void TheBaseline_IsFrozenWhileAnIncidentIsOpen()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Poisson(600, 100);
        var before = feed.Detector.LastReading!.Value.BaselineMean;

        feed.Poisson(120, 1000);

        Assert.Single(feed.Events);
        Assert.NotNull(feed.Detector.OpenIncidentId);
        var during = feed.Detector.LastReading!.Value;
        Assert.Equal(before, during.BaselineMean, 1.0);
        // Every second since the start pushed an excluded slot instead of its count; the older ones slid out.
        Assert.Equal(600 - 119, feed.Detector.BaselineSeconds);
    }

    [Fact]
    public void ALastingChangeOfLevel_BecomesTheNewNormalAfterRebaselineAfter()
    {
        var options = new AnomalyOptions();
        var feed = new Feed(options);
        feed.Poisson(600, 100);

        feed.Poisson(1200, 200);

        Assert.Equal(2, feed.Events.Count);
        var ended = Assert.IsType<AnomalyEnded>(feed.Events[1]);
        Assert.InRange(ended.Duration, options.RebaselineAfter, options.RebaselineAfter + TimeSpan.FromMinutes(2));
        Assert.InRange(feed.Detector.LastReading!.Value.BaselineMean, 190, 210);
    }

    [Fact]
    public void Cooldown_SuppressesASecondStartInTheSameDirection()
    {
        var feed = new Feed(new AnomalyOptions { Cooldown = TimeSpan.FromSeconds(60) });
        feed.Constant(600, 100);
        feed.Constant(10, 300);
        feed.Constant(15, 100); // ends once 5 evaluations are calm; the cooldown runs 60 s from there
        feed.Constant(10, 300);
        Assert.Equal(2, feed.Events.Count);

        feed.Constant(60, 100);
        feed.Constant(10, 300);

        Assert.Equal(3, feed.Events.Count);
        Assert.IsType<AnomalyStarted>(feed.Events[2]);
        Assert.NotEqual(feed.Events[0].IncidentId, feed.Events[2].IncidentId);
    }

    [Fact]
    public void Cooldown_DoesNotHoldBackTheOppositeDirection()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Constant(600, 100);
        feed.Constant(10, 300);
        feed.Constant(10, 100);
        feed.Constant(10, 0);

        Assert.Equal(
            [AnomalyDirection.Spike, AnomalyDirection.Spike, AnomalyDirection.Drop],
            feed.Events.Select(e => e.Direction));
        Assert.IsType<AnomalyStarted>(feed.Events[2]);
    }

    [Fact]
    public void WarmUp_SuppressesEarlyAlerts()
    {
        var feed = new Feed(new AnomalyOptions { WarmUp = TimeSpan.FromMinutes(2) });
        feed.Constant(100, 100);
        feed.Constant(10, 1000);
        Assert.Empty(feed.Events);
        Assert.False(feed.Detector.IsWarmedUp);

        feed.Constant(200, 100);
        Assert.True(feed.Detector.IsWarmedUp);
        feed.Constant(10, 1000);
        Assert.Single(feed.Events);
    }

    [Fact]
    public void MinRate_SuppressesTinyPages()
    {
        var quiet = new Feed(new AnomalyOptions { MinRate = 50 });
        quiet.Poisson(600, 10);
        quiet.Constant(10, 40);
        Assert.Empty(quiet.Events);

        var busy = new Feed(new AnomalyOptions { MinRate = 1 });
        busy.Poisson(600, 10);
        busy.Constant(10, 40);
        Assert.IsType<AnomalyStarted>(Assert.Single(busy.Events));
    }

    [Fact]
    public void PerfectlySteadyTraffic_IsJudgedAgainstPoissonNoiseNotAZeroDeviation()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Constant(600, 100);
        feed.Constant(30, 120); // sample deviation 0, yet 20 more per second is only 1.8 sqrt(120)
        Assert.Empty(feed.Events);
        Assert.Equal(Math.Sqrt(120), feed.Detector.LastReading!.Value.StdDev, 9);

        feed.Constant(10, 200);
        Assert.Equal(AnomalyDirection.Spike, Assert.Single(feed.Events).Direction);
    }

    [Fact]
    public void AnEmptyScope_NeverDividesByZero()
    {
        var feed = new Feed(new AnomalyOptions { MinRate = 0 });
        feed.Constant(300, 0);

        var reading = feed.Detector.LastReading!.Value;
        Assert.Equal(0.5, reading.StdDev);
        Assert.Equal(0.0, reading.ZScore);
        Assert.Empty(feed.Events);
    }

    [Fact]
    public void ALongGap_IsFedAsZerosInBoundedWork()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Constant(600, 100);

        var events = new List<AnomalyEvent>();
        feed.Detector.CompleteThrough(feed.NextSecond + 86_400, RateSeries.StartOf(feed.NextSecond + 86_402), events);

        Assert.Equal([AnomalyDirection.Drop, AnomalyDirection.Drop], events.Select(e => e.Direction));
        Assert.Equal(0.0, feed.Detector.LastReading!.Value.BaselineMean);
    }

    [Fact]
    public void ASnapshotRoundTripThroughJson_ContinuesExactlyLikeAnUninterruptedDetector()
    {
        var options = new AnomalyOptions();
        var uninterrupted = new Feed(options, seed: 3);
        var interrupted = new Feed(options, seed: 3);
        foreach (var feed in new[] { uninterrupted, interrupted })
        {
            feed.Poisson(600, 80);
            feed.Poisson(20, 400); // the snapshot is taken with the incident open
        }

        var json = JsonSerializer.Serialize(interrupted.Detector.Snapshot());
        var state = JsonSerializer.Deserialize<AnomalyDetectorState>(json)!;
        interrupted.Detector = AnomalyDetector.Restore(options, AnomalyScope.Page, "/docs", state);

        foreach (var feed in new[] { uninterrupted, interrupted })
        {
            feed.Poisson(200, 80);
        }

        Assert.Equal(2, interrupted.Events.Count);
        Assert.Equal(uninterrupted.Events, interrupted.Events);
        Assert.Equal(uninterrupted.Detector.LastReading, interrupted.Detector.LastReading);
    }

    [Fact]
    public void RestoringUnderADifferentWindow_StartsTheWarmUpAgain()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Constant(600, 100);

        var restored = AnomalyDetector.Restore(
            new AnomalyOptions { Window = TimeSpan.FromMinutes(5) }, AnomalyScope.Page, "/docs", feed.Detector.Snapshot());

        Assert.False(restored.IsWarmedUp);
        Assert.Equal(0, restored.BaselineSeconds);
        Assert.Equal(feed.Detector.LastSecond, restored.LastSecond);
    }

    [Fact]
    public void SecondsOutOfOrder_AreRefused()
    {
        var feed = new Feed(new AnomalyOptions());
        feed.Constant(5, 1);

        Assert.Throws<ArgumentOutOfRangeException>(
            () => feed.Detector.Complete(feed.NextSecond - 1, 1, RateSeries.StartOf(feed.NextSecond + 1), feed.Events));
    }

    /// <summary>Feeds consecutive seconds to a detector and collects what it raises.</summary>
    private sealed class Feed(AnomalyOptions options, int seed = 1)
    {
        private readonly Random _random = new(seed);

        public AnomalyDetector Detector { get; set; } = new(options, AnomalyScope.Page, "/docs");

        public List<AnomalyEvent> Events { get; } = [];

        public long NextSecond { get; private set; } = S0;

        public void Constant(int seconds, long count) => Run(seconds, () => count);

        public void Poisson(int seconds, double rate) => Run(seconds, () => Anomalies.Poisson.Sample(_random, rate));

        private void Run(int seconds, Func<long> count)
        {
            for (var i = 0; i < seconds; i++)
            {
                // The clock is only a stamp here: the second's end plus the default settle delay.
                Detector.Complete(NextSecond, count(), RateSeries.StartOf(NextSecond + 2), Events);
                NextSecond++;
            }
        }
    }
}
