using Analytics.Grains.Anomalies;
using Analytics.Grains.Site;
using Analytics.IntegrationTests.Infrastructure;
using Xunit;

namespace Analytics.IntegrationTests.Anomalies;

/// <summary>
/// The feed and site grains' states survive the ADO.NET grain storage's JSON serializer (Newtonsoft with type
/// names), which production uses with <c>Silo:Persistence=AdoNet</c>; the TestingHost clusters use memory storage.
/// </summary>
public sealed class AnomalyStateSerializationTests
{
    private static readonly DateTime Now = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TheFeedState_RoundTripsThroughTheAdoNetJsonSerializer()
    {
        var state = new AnomalyFeedState();
        var ledger = new AnomalyLedger(state, new AnomalyPublishingOptions());
        var start = AnomalyNotifications.From(new AnomalyStarted
        {
            IncidentId = "page:20260622T100000Z:/a",
            Scope = AnomalyScope.Page,
            Page = "/a",
            Direction = AnomalyDirection.Spike,
            StartedAt = Now,
            DetectedAt = Now.AddSeconds(2),
            ObservedRate = 250,
            BaselineMean = 50,
            BaselineStdDev = 7.5,
            ZScore = 26.7,
        });
        ledger.Claim([start], "silo-a", Now, TimeSpan.FromMinutes(1));

        var back = AdoNetStateSerializer.RoundTrip(state);

        Assert.Equal(start, Assert.Single(back.Recent));
        Assert.Equal(start, Assert.Single(back.OpenIncidents));
        Assert.Equal([AnomalyNotifications.KeyOf(start)], back.Seen);
        var pending = Assert.Single(back.Pending);
        Assert.Equal(start, pending.Notification);
        Assert.Equal(AnomalyTargets.All, pending.Remaining);
        Assert.Equal(Now.AddMinutes(1), pending.LeaseUntil);
        Assert.Empty(new AnomalyLedger(back, new AnomalyPublishingOptions()).Claim([start], "silo-b", Now, TimeSpan.FromMinutes(1)).Deliveries);
    }

    [Fact]
    public void TheSiteState_RoundTripsThroughTheAdoNetJsonSerializer()
    {
        var site = new SiteTrafficAggregator(new AnomalyOptions(), 5, null, Now);
        site.Apply([new SiteTrafficReport { Sender = "silo-a", Sequence = 7, Counts = [new SiteSecondCount(RateSeries.SecondOf(Now), 5)] }], Now);
        site.AdvanceTo(Now.AddSeconds(3));
        var state = site.Snapshot(Now.AddSeconds(3));

        var back = AdoNetStateSerializer.RoundTrip(state);

        Assert.Equal(7, Assert.Single(back.Senders).Sequence);
        Assert.Equal(state.HistoryCounts, back.HistoryCounts);
        Assert.Equal(state.Monitor!.Detector.LastSecond, back.Monitor!.Detector.LastSecond);
        Assert.True(new SiteTrafficAggregator(new AnomalyOptions(), 5, back, Now.AddSeconds(4)).Restored);
    }
}
