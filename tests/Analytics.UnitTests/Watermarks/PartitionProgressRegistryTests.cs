using Analytics.Grains.Watermarks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Analytics.UnitTests.Watermarks;

/// <summary>This silo's per-partition progress: newest event time never regresses, idle polls keep the last record time.</summary>
public sealed class PartitionProgressRegistryTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(T0));

    [Fact]
    public void NothingPolled_GivesAnEmptySnapshot()
    {
        Assert.Empty(new PartitionProgressRegistry(_clock).Snapshot());
    }

    [Fact]
    public void FirstPoll_WithRecords_SetsTheNewestEventTimeAndTheRecordTime()
    {
        var registry = new PartitionProgressRegistry(_clock);

        registry.OnPolled(3, maxEventTime: T0.AddSeconds(-4), polledAt: T0);

        var p = Assert.Single(registry.Snapshot());
        Assert.Equal((3, T0.AddSeconds(-4), T0, T0), (p.Partition, p.MaxEventTime, p.LastRecordAt, p.ReportedAt));
    }

    [Fact]
    public void FirstPoll_Empty_KnowsNoEvent_AndCountsTheStartOfReadingAsTheRecordTime()
    {
        var registry = new PartitionProgressRegistry(_clock);

        registry.OnPolled(3, maxEventTime: null, polledAt: T0);

        var p = Assert.Single(registry.Snapshot());
        Assert.Null(p.MaxEventTime);
        Assert.Equal(T0, p.LastRecordAt);
    }

    [Fact]
    public void OlderEventTimeInALaterPoll_DoesNotMoveTheNewestEventTimeBack_ButCountsAsARecord()
    {
        var registry = new PartitionProgressRegistry(_clock);
        registry.OnPolled(0, T0.AddSeconds(-1), T0);

        registry.OnPolled(0, T0.AddSeconds(-30), T0.AddSeconds(2));

        var p = Assert.Single(registry.Snapshot());
        Assert.Equal(T0.AddSeconds(-1), p.MaxEventTime);
        Assert.Equal(T0.AddSeconds(2), p.LastRecordAt);
    }

    [Fact]
    public void NewerEventTime_AdvancesTheNewestEventTime()
    {
        var registry = new PartitionProgressRegistry(_clock);
        registry.OnPolled(0, T0.AddSeconds(-10), T0);

        registry.OnPolled(0, T0.AddSeconds(1), T0.AddSeconds(1));

        Assert.Equal(T0.AddSeconds(1), registry.Snapshot().Single().MaxEventTime);
    }

    [Fact]
    public void EmptyPoll_KeepsTheNewestEventTimeAndTheLastRecordTime()
    {
        var registry = new PartitionProgressRegistry(_clock);
        registry.OnPolled(0, T0.AddSeconds(-1), T0);

        registry.OnPolled(0, null, T0.AddSeconds(45));

        var p = registry.Snapshot().Single();
        Assert.Equal((T0.AddSeconds(-1), T0), (p.MaxEventTime, p.LastRecordAt));
    }

    [Fact]
    public void Snapshot_IsStampedWithTheCurrentTime()
    {
        var registry = new PartitionProgressRegistry(_clock);
        registry.OnPolled(0, T0, T0);
        registry.OnPolled(1, T0, T0);

        _clock.Advance(TimeSpan.FromSeconds(7));

        Assert.All(registry.Snapshot(), p => Assert.Equal(T0.AddSeconds(7), p.ReportedAt));
    }

    [Fact]
    public void Partitions_AreTrackedSeparately()
    {
        var registry = new PartitionProgressRegistry(_clock);

        registry.OnPolled(0, T0.AddSeconds(-1), T0);
        registry.OnPolled(1, T0.AddSeconds(-9), T0.AddSeconds(1));

        var byPartition = registry.Snapshot().ToDictionary(p => p.Partition, p => p.MaxEventTime);
        Assert.Equal(new Dictionary<int, DateTime?> { [0] = T0.AddSeconds(-1), [1] = T0.AddSeconds(-9) }, byPartition);
    }

    [Fact]
    public void RemovedPartition_IsNoLongerReported()
    {
        var registry = new PartitionProgressRegistry(_clock);
        registry.OnPolled(0, T0, T0);
        registry.OnPolled(1, T0, T0);

        registry.Remove(0);
        registry.Remove(42);

        Assert.Equal([1], registry.Snapshot().Select(p => p.Partition));
    }

    [Fact]
    public void PartitionThatStopsReceivingRecords_StopsHoldingTheWatermarkBack_AfterTheIdleTimeout()
    {
        var idle = TimeSpan.FromSeconds(30);
        var policy = new WatermarkPolicy(TimeSpan.FromSeconds(10), idle, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        var registry = new PartitionProgressRegistry(_clock);
        registry.OnPolled(0, T0.AddSeconds(-1), T0);
        registry.OnPolled(1, T0.AddSeconds(-50), T0);

        var held = WatermarkCalculator.Compute(registry.Snapshot(), _clock.GetUtcNow().UtcDateTime, policy);
        _clock.Advance(idle + TimeSpan.FromSeconds(1));
        registry.OnPolled(0, _clock.GetUtcNow().UtcDateTime.AddSeconds(-1), _clock.GetUtcNow().UtcDateTime);
        registry.OnPolled(1, null, _clock.GetUtcNow().UtcDateTime);
        var released = WatermarkCalculator.Compute(registry.Snapshot(), _clock.GetUtcNow().UtcDateTime, policy);

        Assert.Equal(T0.AddSeconds(-60), held);
        Assert.Equal(T0.AddSeconds(31 - 1 - 10), released);
    }
}
