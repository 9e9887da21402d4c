using Analytics.Grains.Anomalies;
using Xunit;
using static Analytics.UnitTests.Anomalies.Publishing.PublishingTestKit;

namespace Analytics.UnitTests.Anomalies.Publishing;

public sealed class AnomalyLedgerTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public void ANewNotification_IsAppendedToTheFeedAndClaimedForEveryTarget()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        var started = Notification(Started());

        var claim = ledger.Claim([started], "silo-a", T0, Lease);

        var delivery = Assert.Single(claim.Deliveries);
        Assert.Equal(started, delivery.Notification);
        Assert.Equal(AnomalyTargets.All, delivery.Targets);
        Assert.Equal(1, delivery.Attempt);
        Assert.Equal(0, claim.Duplicates);
        Assert.Equal([started], ledger.Recent(10));
        Assert.Equal(1, ledger.PendingCount);
    }

    [Fact]
    public void AReDetectedIncident_IsNeitherAppendedNorDeliveredAgain()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        var first = Notification(Started());
        // A replay re-detects the same incident: same id, later detection time, slightly different numbers.
        var again = Notification(Started(rate: 251)) with { DetectedAt = T0.AddMinutes(3) };

        ledger.Claim([first], "silo-a", T0, Lease);
        var claim = ledger.Claim([again, again], "silo-b", T0.AddMinutes(3), Lease);

        Assert.DoesNotContain(claim.Deliveries, d => d.Attempt == 1);
        Assert.Equal(2, claim.Duplicates);
        Assert.Equal([first], ledger.Recent(10));
    }

    [Fact]
    public void TheStartAndTheEndOfAnIncident_AreTwoNotifications_AndTheEndGetsTheStartsBaseline()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        var started = Started();
        var start = Notification(started);
        var end = Notification(Ended(started));
        Assert.Equal(0, end.BaselineMean);

        ledger.Claim([start], "silo-a", T0, Lease);
        var claim = ledger.Claim([end], "silo-a", T0.AddSeconds(30), Lease);

        var delivery = Assert.Single(claim.Deliveries, d => d.Notification.Kind == AnomalyNotifications.Ended);
        Assert.Equal(start, delivery.Started);
        Assert.Equal(50, delivery.Notification.BaselineMean);
        Assert.Equal(7.5, delivery.Notification.BaselineStdDev);
        Assert.Equal(260, delivery.Notification.ObservedRate);
        Assert.Equal([AnomalyNotifications.Ended, AnomalyNotifications.Started], ledger.Recent(10).Select(n => n.Kind));
    }

    [Fact]
    public void AFailedTarget_IsDueAgainAfterItsDelay_ForTheRemainingTargetsOnly()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        var delivery = Assert.Single(ledger.Claim([Notification(Started())], "silo-a", T0, Lease).Deliveries);

        ledger.Complete("silo-a", [new AnomalyDeliveryResult(delivery.Key, AnomalyTargets.All & ~AnomalyTargets.Kafka, TimeSpan.FromSeconds(5))], T0);

        Assert.Empty(ledger.Claim([], "silo-b", T0.AddSeconds(4), Lease).Deliveries);
        var retry = Assert.Single(ledger.Claim([], "silo-b", T0.AddSeconds(5), Lease).Deliveries);
        Assert.Equal(AnomalyTargets.Kafka, retry.Targets);
        Assert.Equal(2, retry.Attempt);

        ledger.Complete("silo-b", [new AnomalyDeliveryResult(retry.Key, AnomalyTargets.Kafka, TimeSpan.Zero)], T0.AddSeconds(6));
        Assert.Equal(0, ledger.PendingCount);
        Assert.Empty(ledger.Claim([], "silo-b", T0.AddHours(1), Lease).Deliveries);
    }

    [Fact]
    public void ADeliveryWhosePublisherDied_IsTakenOverWhenItsLeaseEnds()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        ledger.Claim([Notification(Started())], "silo-a", T0, Lease);

        Assert.Empty(ledger.Claim([], "silo-b", T0 + Lease - TimeSpan.FromSeconds(1), Lease).Deliveries);
        var takeover = Assert.Single(ledger.Claim([], "silo-b", T0 + Lease, Lease).Deliveries);
        Assert.Equal(AnomalyTargets.All, takeover.Targets);

        // The dead publisher's late report of success still counts; its lease does not.
        ledger.Complete("silo-a", [new AnomalyDeliveryResult(takeover.Key, AnomalyTargets.ClickHouse, TimeSpan.Zero)], T0 + Lease);
        Assert.Empty(ledger.Claim([], "silo-c", T0 + Lease + TimeSpan.FromSeconds(1), Lease).Deliveries);
    }

    [Fact]
    public void RenewingALease_KeepsOtherPublishersAway()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        var delivery = Assert.Single(ledger.Claim([Notification(Started())], "silo-a", T0, Lease).Deliveries);

        Assert.Equal(1, ledger.Renew("silo-a", [delivery.Key], T0.AddSeconds(50), Lease));
        Assert.Equal(0, ledger.Renew("silo-b", [delivery.Key], T0.AddSeconds(50), Lease));

        Assert.Empty(ledger.Claim([], "silo-b", T0.AddSeconds(100), Lease).Deliveries);
        Assert.Single(ledger.Claim([], "silo-b", T0.AddSeconds(110), Lease).Deliveries);
    }

    [Fact]
    public void TheFeed_IsNewestFirstAndBounded()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options(o => o.FeedCapacity = 10));
        var notifications = Enumerable.Range(0, 15).Select(i => Notification(Started(page: $"/p{i}"))).ToArray();

        ledger.Claim(notifications, "silo-a", T0, Lease);

        var recent = ledger.Recent(100);
        Assert.Equal(10, recent.Length);
        Assert.Equal("/p14", recent[0].Page);
        Assert.Equal("/p5", recent[^1].Page);
        Assert.Equal(["/p14", "/p13"], ledger.Recent(2).Select(n => n.Page));
    }

    [Fact]
    public void TheDedupMemory_IsBounded_AndForgetsTheOldestFirst()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options(o => o.DedupCapacity = 100));
        var notifications = Enumerable.Range(0, 101).Select(i => Notification(Started(page: $"/p{i}"))).ToArray();

        ledger.Append(notifications);

        Assert.False(ledger.HasSeen(notifications[0]));
        Assert.True(ledger.HasSeen(notifications[1]));
        Assert.True(ledger.HasSeen(notifications[100]));
    }

    [Fact]
    public void TheDedup_SurvivesARestartFromThePersistedState()
    {
        var state = new AnomalyFeedState();
        new AnomalyLedger(state, Options()).Claim([Notification(Started())], "silo-a", T0, Lease);

        var restarted = new AnomalyLedger(state, Options());
        var claim = restarted.Claim([Notification(Started())], "silo-b", T0.AddSeconds(1), Lease);

        Assert.Empty(claim.Deliveries);
        Assert.Equal(1, claim.Duplicates);
    }

    [Fact]
    public void AppendingThroughTheFeedContract_DeduplicatesToo()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options());
        var start = Notification(Started());

        Assert.Equal(1, ledger.Append([start, start]));
        Assert.Equal(0, ledger.Append([start]));
        Assert.Single(ledger.Recent(10));
    }

    [Fact]
    public void ADeliveryNobodyCouldFinish_IsGivenUpAfterTheConfiguredTime()
    {
        var ledger = new AnomalyLedger(new AnomalyFeedState(), Options(o => o.GiveUpAfter = TimeSpan.FromHours(1)));
        var start = Notification(Started());
        ledger.Claim([start], "silo-a", T0, Lease);

        var claim = ledger.Claim([], "silo-b", T0.AddHours(1).AddSeconds(1), Lease);

        Assert.Empty(claim.Deliveries);
        Assert.Equal([start], claim.Abandoned);
        Assert.Equal(0, ledger.PendingCount);
    }
}
