using Analytics.Contracts.Events;
using Analytics.Grains.Anomalies;
using Analytics.Grains.Site;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Analytics.UnitTests.Anomalies.Publishing.PublishingTestKit;

namespace Analytics.UnitTests.Anomalies.Publishing;

public sealed class SiteTrafficTests
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(500);

    private static readonly AnomalyOptions Detection = new()
    {
        Window = TimeSpan.FromMinutes(2),
        WarmUp = TimeSpan.FromSeconds(30),
        Cooldown = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void ACounter_CountsEventsPerSecondOfEventTime_AndDrainsOldestFirst()
    {
        var counter = new SiteTrafficCounter();
        counter.OnEvents(0, [Event(T0.AddMilliseconds(900)), Event(T0.AddMilliseconds(999)), Event(T0.AddSeconds(1)), Event(T0)], T0.AddSeconds(1));
        counter.OnEvents(3, [Event(T0.AddMilliseconds(1500))], T0.AddSeconds(2));

        Assert.Equal([new SiteSecondCount(Second(T0), 3), new SiteSecondCount(Second(T0) + 1, 2)], counter.Drain());
        Assert.Empty(counter.Drain());
    }

    [Fact]
    public void ACounter_LeavesOutEventsFarFromThePollTime()
    {
        var counter = new SiteTrafficCounter();

        counter.OnEvents(0, [Event(T0.AddMinutes(-2)), Event(T0.AddMinutes(2)), Event(T0.AddSeconds(-30))], T0);

        Assert.Equal([new SiteSecondCount(Second(T0) - 30, 1)], counter.Drain());
        Assert.Equal(2, counter.OutOfRange);
    }

    [Fact]
    public void ACounter_CountsNothing_WhenSiteDetectionIsOff()
    {
        var counter = new SiteTrafficCounter(Microsoft.Extensions.Options.Options.Create(new AnomalyOptions()),
            Microsoft.Extensions.Options.Options.Create(new SiteTrafficOptions { Enabled = false }));

        counter.OnEvents(0, [Event(T0)], T0);

        Assert.Empty(counter.Drain());
    }

    [Fact]
    public async Task ACounter_CountsExactlyUnderConcurrentPolls()
    {
        var counter = new SiteTrafficCounter();
        var batch = Enumerable.Range(0, 1000).Select(i => Event(T0.AddMilliseconds(i * 3))).ToList();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                counter.OnEvents(p, batch, T0);
            }
        })));

        Assert.Equal(8 * 50 * 1000, counter.Drain().Sum(c => c.Count));
    }

    [Fact]
    public void PartialCountsOfSeveralSilos_AreSummedPerSecond()
    {
        var site = Aggregator();
        site.Apply([Report("silo-a", 1, (0, 10), (1, 20)), Report("silo-b", 1, (0, 5))], T0.AddMilliseconds(500));
        site.Apply([Report("silo-b", 2, (1, 7), (2, 1))], T0.AddSeconds(2));

        site.AdvanceTo(T0.AddSeconds(4.6)); // second 2 ends at +3 s, settles 1.5 s later
        var rate = site.GetRate(T0.AddSeconds(4.6));

        Assert.Equal(T0.AddSeconds(2), rate.LastSecond);
        Assert.Equal([15L, 27L, 1L], rate.PerSecond[^3..]);
        Assert.Equal(60, rate.PerSecond.Length);
        Assert.Equal(T0.AddSeconds(-57), rate.SeriesStart);
        Assert.Equal((15 + 27 + 1) / 5.0, rate.EventsPerSecond, 9);
        Assert.Equal(2, rate.ReportingSilos);
    }

    [Fact]
    public void AReportSentAgainAfterATimeout_IsCountedOnce()
    {
        var site = Aggregator();
        var report = Report("silo-a", 1, (0, 10));

        Assert.Equal(1, site.Apply([report], T0));
        Assert.Equal(1, site.Apply([report, Report("silo-a", 2, (0, 1))], T0.AddMilliseconds(500)));
        site.AdvanceTo(T0.AddSeconds(3));

        Assert.Equal(11, site.GetRate(T0.AddSeconds(3)).PerSecond[^1]);
        Assert.Equal(1, site.DuplicateReports);
    }

    [Fact]
    public void ForSite_CopiesEveryDetectionSetting_AndLengthensTheSettleDelayByTheReportInterval()
    {
        var options = new AnomalyOptions();
        foreach (var property in typeof(AnomalyOptions).GetProperties().Where(p => p.CanWrite))
        {
            object value = property.PropertyType == typeof(TimeSpan) ? TimeSpan.FromSeconds(7)
                : property.PropertyType == typeof(double) ? 0.75
                : property.PropertyType == typeof(bool) ? false
                : throw new InvalidOperationException($"Teach this test about {property.PropertyType} ({property.Name}).");
            property.SetValue(options, value);
        }

        var site = SiteTrafficAggregator.ForSite(options, ReportInterval);

        foreach (var property in typeof(AnomalyOptions).GetProperties().Where(p => p.CanWrite && p.Name != nameof(AnomalyOptions.SettleDelay)))
        {
            Assert.Equal(property.GetValue(options), property.GetValue(site));
        }

        Assert.Equal(TimeSpan.FromSeconds(7.5), site.SettleDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), SiteTrafficAggregator.ForSite(new AnomalyOptions { SettleDelay = TimeSpan.FromSeconds(30) }, ReportInterval).SettleDelay);
    }

    [Fact]
    public void ASiteSpike_IsDetectedFromTwoSilosPartialCounts_AsOneIncidentWithAnEnd()
    {
        // Two silos each see the events of their partitions, 100 ms polls, reports every 500 ms. 200 events/s,
        // tripled for 10 s after a minute.
        var random = new Random(5);
        var silos = new[] { new SiteTrafficCounter(), new SiteTrafficCounter() };
        var senders = new[] { 0L, 0L };
        var site = Aggregator();
        var events = new List<AnomalyEvent>();
        var spikeStart = T0.AddSeconds(60);
        var now = T0;
        for (var step = 0; step < 10 * 120; step++)
        {
            var rate = now >= spikeStart && now < spikeStart.AddSeconds(10) ? 600 : 200;
            for (var silo = 0; silo < silos.Length; silo++)
            {
                var count = Poisson.Sample(random, rate * 0.1 / silos.Length);
                silos[silo].OnEvents(silo, [.. Enumerable.Range(0, (int)count).Select(i => Event(now.AddMilliseconds(random.Next(100))))], now.AddMilliseconds(100));
            }

            now = now.AddMilliseconds(100);
            if (step % 5 == 4)
            {
                site.Apply(silos.Select((s, i) => new SiteTrafficReport { Sender = $"silo-{i}", Sequence = ++senders[i], Counts = s.Drain() }), now);
            }

            events.AddRange(site.AdvanceTo(now));
        }

        Assert.Equal(2, events.Count);
        var started = Assert.IsType<AnomalyStarted>(events[0]);
        var ended = Assert.IsType<AnomalyEnded>(events[1]);
        Assert.Equal(Grains.Anomalies.AnomalyScope.Site, started.Scope);
        Assert.Equal(Grains.Anomalies.AnomalyDirection.Spike, started.Direction);
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.InRange(started.DetectedAt - spikeStart, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));
        Assert.Equal(0, site.LateEvents);
    }

    [Fact]
    public void ASavedState_IsRestoredOnlyIfRecent()
    {
        var site = Aggregator();
        site.Apply([Report("silo-a", 1, (0, 10))], T0);
        site.AdvanceTo(T0.AddSeconds(3));
        var saved = site.Snapshot(T0.AddSeconds(3));

        var soon = new SiteTrafficAggregator(SiteTrafficAggregator.ForSite(Detection, ReportInterval), 5, saved, T0.AddSeconds(10));
        var late = new SiteTrafficAggregator(SiteTrafficAggregator.ForSite(Detection, ReportInterval), 5, saved, T0.AddMinutes(5));

        Assert.True(soon.Restored);
        Assert.Equal(10, soon.GetRate(T0.AddSeconds(10)).PerSecond[^1]);
        Assert.Equal(0, soon.Apply([Report("silo-a", 1, (5, 1))], T0.AddSeconds(10)));
        Assert.False(late.Restored);
        Assert.Null(late.GetRate(T0.AddMinutes(5)).LastSecond);
    }

    [Fact]
    public void AReporter_KeepsUnacknowledgedReportsUnchanged_AndNumbersNewOnesOnward()
    {
        var counter = new SiteTrafficCounter();
        var reporter = new SiteTrafficReporter(null!, counter, Microsoft.Extensions.Options.Options.Create(new AnomalyOptions()),
            Microsoft.Extensions.Options.Options.Create(new SiteTrafficOptions()), Metrics(), TimeProvider.System, NullLogger<SiteTrafficReporter>.Instance);

        Assert.Null(reporter.TakeReports());
        counter.OnEvents(0, [Event(T0)], T0);
        var first = reporter.TakeReports()!;
        counter.OnEvents(0, [Event(T0.AddSeconds(1))], T0.AddSeconds(1));
        var retried = reporter.TakeReports()!; // the first call failed: both go again

        Assert.Equal([1L, 2L], retried.Select(r => r.Sequence));
        Assert.Same(first[0], retried[0]);
        reporter.Acknowledge(retried.Length);
        Assert.Null(reporter.TakeReports());
    }

    [Fact]
    public void TheSiteOptionsValidator_NamesTheSetting()
    {
        var result = new SiteTrafficOptionsValidator().Validate(null, new SiteTrafficOptions { ReportInterval = TimeSpan.FromSeconds(10), RateWindow = TimeSpan.FromMilliseconds(1500) });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Anomalies:Site:ReportInterval ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Anomalies:Site:RateWindow ", StringComparison.Ordinal));
    }

    private static SiteTrafficAggregator Aggregator() =>
        new(SiteTrafficAggregator.ForSite(Detection, ReportInterval), 5, state: null, T0);

    private static SiteTrafficReport Report(string sender, long sequence, params (int Second, long Count)[] counts) => new()
    {
        Sender = sender,
        Sequence = sequence,
        Counts = [.. counts.Select(c => new SiteSecondCount(Second(T0) + c.Second, c.Count))],
    };

    private static long Second(DateTime time) => RateSeries.SecondOf(time);

    private static AnalyticsEvent Event(DateTime timestamp) => new() { EventType = "page_view", Page = "/", Timestamp = timestamp };
}
