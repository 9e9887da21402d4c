using System.Text.Json;
using Analytics.Grains.Anomalies;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Analytics.UnitTests.Anomalies;

public sealed class AnomalyMonitorTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TrafficThatStopsEntirely_IsSeenAsADropBecauseEmptySecondsStillComplete()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(T0));
        var monitor = new AnomalyMonitor(new AnomalyOptions(), AnomalyScope.Page, "/pricing");
        for (var second = 0; second < 600; second++)
        {
            monitor.Record(time.GetUtcNow().UtcDateTime, 100);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Empty(monitor.AdvanceTo(time.GetUtcNow().UtcDateTime));
        }

        var outage = time.GetUtcNow().UtcDateTime;
        var events = new List<AnomalyEvent>();
        while (events.Count == 0)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            events.AddRange(monitor.AdvanceTo(time.GetUtcNow().UtcDateTime));
        }

        var started = Assert.IsType<AnomalyStarted>(Assert.Single(events));
        Assert.Equal(AnomalyDirection.Drop, started.Direction);
        // One empty second of four is -2.5 sigma, two are -5: the second empty second, complete at +2 s and
        // settled at +3 s, starts the incident.
        Assert.Equal(outage.AddSeconds(1), started.StartedAt);
        Assert.Equal(outage.AddSeconds(3), started.DetectedAt);
        Assert.Equal("page:20260622T101001Z:/pricing", started.IncidentId);
    }

    [Fact]
    public void EventsLaterThanTheSettleDelay_AreReportedLateAndLeftOut()
    {
        var monitor = new AnomalyMonitor(new AnomalyOptions(), AnomalyScope.Page, "/docs");
        monitor.AdvanceTo(T0);

        Assert.Equal(RecordOutcome.Counted, monitor.Record(T0.AddSeconds(0.5), 5));
        monitor.AdvanceTo(T0.AddSeconds(2));
        Assert.Equal(RecordOutcome.Late, monitor.Record(T0.AddSeconds(0.9), 5));
        Assert.Equal(RecordOutcome.TooFarAhead, monitor.Record(T0.AddHours(1), 5));

        var state = monitor.Snapshot();
        Assert.Equal([5L], state.Detector.Recent.Where(c => c > 0));
    }

    [Fact]
    public void ASnapshotRoundTripThroughJson_KeepsOpenSecondsAndTheIncident()
    {
        var options = new AnomalyOptions();
        var original = new SimulatedPipeline(options, seed: 5);
        original.Run(TimeSpan.FromMinutes(10), 200);
        original.Run(TimeSpan.FromSeconds(10), 1000);
        Assert.Single(original.Events);
        original.Monitor.Record(original.Now, 321); // an open second that must survive

        var json = JsonSerializer.Serialize(original.Monitor.Snapshot());
        var restored = new AnomalyMonitor(options, AnomalyScope.Page, "/docs", JsonSerializer.Deserialize<AnomalyMonitorState>(json));

        Assert.Equal(json, JsonSerializer.Serialize(restored.Snapshot()));
        Assert.Equal(original.Monitor.Detector.OpenIncidentId, restored.Detector.OpenIncidentId);
        Assert.True(restored.Detector.IsWarmedUp);
    }
}
