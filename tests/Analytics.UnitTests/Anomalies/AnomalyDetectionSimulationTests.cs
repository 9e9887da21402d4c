using Analytics.Grains.Anomalies;
using Xunit;

namespace Analytics.UnitTests.Anomalies;

/// <summary>End-to-end detection on simulated time: Poisson traffic, batched delivery, a fake clock.</summary>
public sealed class AnomalyDetectionSimulationTests
{
    private static readonly int[] Seeds = [1, 2, 3, 4, 5];

    // Spike factors as the load generator injects them; the 5/s page needs a bigger one to clear 3 sigma of
    // Poisson noise within two seconds.
    public static TheoryData<double, double, int> Spikes => Cases((5, 10), (50, 5), (500, 3), (5000, 3));

    // Drops of 5/s pages are not in here: a complete outage there is only sqrt(5) = 2.2 sigma.
    public static TheoryData<double, double, int> Drops => Cases((50, 0.1), (500, 0.1), (500, 0), (5000, 0.5));

    public static TheoryData<double, int> SteadyRates
    {
        get
        {
            var data = new TheoryData<double, int>();
            foreach (var rate in new[] { 5.0, 50, 500, 5000 })
            {
                for (var seed = 1; seed <= 10; seed++)
                {
                    data.Add(rate, seed);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Spikes))]
    public void AnInjectedSpike_IsDetectedWithinThreeSecondsOfItsStart(double rate, double factor, int seed)
    {
        var pipeline = new SimulatedPipeline(new AnomalyOptions(), seed);
        pipeline.Run(TimeSpan.FromMinutes(10), rate);
        var spikeStart = pipeline.Now;
        pipeline.Run(TimeSpan.FromSeconds(20), rate * factor);
        pipeline.Run(TimeSpan.FromMinutes(2), rate);

        var started = Assert.IsType<AnomalyStarted>(pipeline.Events[0]);
        Assert.Equal(AnomalyDirection.Spike, started.Direction);
        Assert.InRange(started.DetectedAt - spikeStart, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        AssertOneIncident(pipeline.Events);
    }

    [Theory]
    [MemberData(nameof(Drops))]
    public void AnInjectedDrop_IsDetectedWithinFiveSecondsOfItsStart(double rate, double factor, int seed)
    {
        var pipeline = new SimulatedPipeline(new AnomalyOptions(), seed);
        pipeline.Run(TimeSpan.FromMinutes(10), rate);
        var dropStart = pipeline.Now;
        pipeline.Run(TimeSpan.FromSeconds(30), rate * factor);
        pipeline.Run(TimeSpan.FromMinutes(2), rate);

        var started = Assert.IsType<AnomalyStarted>(pipeline.Events[0]);
        Assert.Equal(AnomalyDirection.Drop, started.Direction);
        Assert.InRange(started.DetectedAt - dropStart, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        AssertOneIncident(pipeline.Events);
    }

    [Theory]
    [MemberData(nameof(SteadyRates))]
    public void FifteenMinutesOfSteadyPoissonTraffic_RaiseNoAnomaly(double rate, int seed)
    {
        var pipeline = new SimulatedPipeline(new AnomalyOptions(), seed);

        pipeline.Run(TimeSpan.FromMinutes(15), rate);

        Assert.Empty(pipeline.Events);
        Assert.True(pipeline.Monitor.Detector.IsWarmedUp);
        Assert.InRange(pipeline.MaxAbsZScore, 0.5, 3.0);
    }

    [Fact]
    public void EventsLaterThanTheSettleDelay_AreLeftOutWithoutBiasingTheComparison()
    {
        var pipeline = new SimulatedPipeline(new AnomalyOptions(), seed: 7);

        pipeline.Run(TimeSpan.FromMinutes(10), 20_000);

        // About 1 % of the events miss their second. Counting them into the baseline but necessarily not into the
        // newest second would put the current rate ~0.35 sigma low here, every second.
        Assert.InRange(pipeline.LateEvents, 100_000, 140_000);
        Assert.InRange(pipeline.MeanZScore, -0.05, 0.05);
        Assert.Empty(pipeline.Events);
    }

    [Fact]
    public void ASiteSpike_IsDetectedFromCountsThatSilosPreAggregated()
    {
        // Three silos each count their share of the site's events per second and send the partial counts twice a
        // second; the site monitor adds them up. No grain sees every event.
        var options = new AnomalyOptions();
        var time = SimulatedPipeline.Start;
        var site = new AnomalyMonitor(options, AnomalyScope.Site, page: null);
        var random = new Random(11);
        var events = new List<AnomalyEvent>();
        var spikeStart = time.AddMinutes(10);
        for (var step = 0; step < 2 * 60 * 12; step++)
        {
            var rate = time >= spikeStart && time < spikeStart.AddSeconds(15) ? 3000 : 1000;
            for (var silo = 0; silo < 3; silo++)
            {
                site.Record(time, Poisson.Sample(random, rate * 0.5 / 3));
            }

            time = time.AddMilliseconds(500);
            events.AddRange(site.AdvanceTo(time));
        }

        var started = Assert.IsType<AnomalyStarted>(events[0]);
        Assert.Equal(AnomalyScope.Site, started.Scope);
        Assert.Equal("", started.Page);
        Assert.StartsWith("site:", started.IncidentId, StringComparison.Ordinal);
        Assert.InRange(started.DetectedAt - spikeStart, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        AssertOneIncident(events);
    }

    private static void AssertOneIncident(List<AnomalyEvent> events)
    {
        Assert.Equal(2, events.Count);
        var started = Assert.IsType<AnomalyStarted>(events[0]);
        var ended = Assert.IsType<AnomalyEnded>(events[1]);
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.Equal(started.Direction, ended.Direction);
        Assert.True(ended.EndedAt > started.StartedAt);
    }

    private static TheoryData<double, double, int> Cases(params (double Rate, double Factor)[] cases)
    {
        var data = new TheoryData<double, double, int>();
        foreach (var (rate, factor) in cases)
        {
            foreach (var seed in Seeds)
            {
                data.Add(rate, factor, seed);
            }
        }

        return data;
    }
}
