using System.Text.Json;
using Analytics.Grains.Anomalies;
using Xunit;
using static Analytics.UnitTests.Anomalies.Publishing.PublishingTestKit;
using RowDirection = Analytics.ClickHouse.Rows.AnomalyDirection;
using RowScope = Analytics.ClickHouse.Rows.AnomalyScope;

namespace Analytics.UnitTests.Anomalies.Publishing;

public sealed class AnomalyNotificationsTests
{
    [Fact]
    public void AStart_MapsToARowOfVersionOne_WithoutAnEnd()
    {
        var started = Started();

        var row = AnomalyNotifications.ToRow(Delivery(Notification(started)));

        Assert.Equal(started.IncidentId, row.AnomalyId);
        Assert.Equal(started.DetectedAt, row.DetectedAt);
        Assert.Equal(RowScope.Page, row.Scope);
        Assert.Equal("/docs", row.Page);
        Assert.Equal(RowDirection.Spike, row.Direction);
        Assert.Equal(250, row.ObservedRate);
        Assert.Equal(50, row.BaselineMean);
        Assert.Equal(7.5, row.BaselineStddev);
        Assert.Equal(26.7, row.ZScore);
        Assert.Null(row.EndedAt);
        Assert.Equal(1UL, row.Version);
    }

    [Fact]
    public void AnEnd_MapsToTheSameRowKey_WithAHigherVersion_TheStartsDetectionTime_AndThePeak()
    {
        var started = Started();
        var ended = Ended(started);
        var start = Notification(started);
        var end = Notification(ended) with { BaselineMean = start.BaselineMean, BaselineStdDev = start.BaselineStdDev };

        var row = AnomalyNotifications.ToRow(Delivery(end, start));

        Assert.Equal(started.IncidentId, row.AnomalyId);
        Assert.Equal(started.DetectedAt, row.DetectedAt);
        Assert.Equal(ended.EndedAt, row.EndedAt);
        Assert.Equal(260, row.ObservedRate);
        Assert.Equal(28.1, row.ZScore);
        Assert.Equal(50, row.BaselineMean);
        Assert.Equal(2UL, row.Version);
    }

    [Fact]
    public void AnEndWhoseStartIsUnknown_UsesTheIncidentsFirstSecondAsDetectionTime()
    {
        var started = Started();

        var row = AnomalyNotifications.ToRow(Delivery(Notification(Ended(started))));

        Assert.Equal(started.StartedAt, row.DetectedAt);
        Assert.Equal(2UL, row.Version);
    }

    [Fact]
    public void ASiteAnomaly_HasAnEmptyPageAndTheSiteScope()
    {
        var site = Started() with { IncidentId = "site:20260622T100000Z", Scope = Grains.Anomalies.AnomalyScope.Site, Page = "", Direction = Grains.Anomalies.AnomalyDirection.Drop };

        var notification = Notification(site);
        var row = AnomalyNotifications.ToRow(Delivery(notification));

        Assert.Equal("site", notification.Scope);
        Assert.Equal("drop", notification.Direction);
        Assert.Equal(RowScope.Site, row.Scope);
        Assert.Equal(RowDirection.Drop, row.Direction);
        Assert.Equal("", row.Page);
    }

    [Fact]
    public void TheKafkaAndWebhookJson_UsesTheTablesColumnNames_AndRoundTrips()
    {
        var notification = Notification(Started());

        var json = AnomalyMessage.Serialize(notification);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.Equal($"started:{notification.IncidentId}", root.GetProperty("notification_id").GetString());
        Assert.Equal(notification.IncidentId, root.GetProperty("incident_id").GetString());
        Assert.Equal("started", root.GetProperty("kind").GetString());
        Assert.Equal("page", root.GetProperty("scope").GetString());
        Assert.Equal("/docs", root.GetProperty("page").GetString());
        Assert.Equal("spike", root.GetProperty("direction").GetString());
        Assert.Equal("2026-06-22T10:00:00Z", root.GetProperty("started_at").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ended_at").ValueKind);
        Assert.Equal(7.5, root.GetProperty("baseline_stddev").GetDouble());
        Assert.Equal(26.7, root.GetProperty("z_score").GetDouble());
        Assert.Equal(notification.DetectedAt, AnomalyMessage.Deserialize(json)!.DetectedAt);
    }

    [Fact]
    public void TheDedupKey_PutsTheKindFirst_SoIncidentIdsCannotCollideWithIt()
    {
        var notification = Notification(Started(page: "/a:ended"));

        Assert.Equal("started:page:20260622T100000Z:/a:ended", AnomalyNotifications.KeyOf(notification));
    }

    private static AnomalyDelivery Delivery(Contracts.Anomalies.AnomalyNotification notification, Contracts.Anomalies.AnomalyNotification? started = null) =>
        new() { Notification = notification, Started = started, Targets = AnomalyTargets.All, Attempt = 1 };
}
