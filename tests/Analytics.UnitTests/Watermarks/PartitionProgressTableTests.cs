using Analytics.Grains;
using Analytics.Grains.Watermarks;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Analytics.UnitTests.Windows.WindowTestKit;

namespace Analytics.UnitTests.Watermarks;

/// <summary>
/// The watermark grain's table through a silo crash: the dead silo's partitions hold the watermark until their new
/// owner reads them, a reporter's clock skew does not matter, and the wall-clock rule still closes windows.
/// </summary>
public sealed class PartitionProgressTableTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(10);
    private static readonly PipelineOptions Options = new() { AllowedLateness = Lateness, IdlePartitionTimeout = TimeSpan.FromSeconds(5) };
    private static readonly WatermarkPolicy Policy = WatermarkPolicy.From(Options);

    // The grain's clock; the silos' registries run on clocks of their own.
    private readonly FakeTimeProvider _grainClock = new(new DateTimeOffset(T0.AddSeconds(30)));
    private readonly PartitionProgressTable _table = new();

    private DateTime Now => _grainClock.GetUtcNow().UtcDateTime;

    private void Report(PartitionProgressRegistry silo) => _table.Report(silo.Snapshot(), Now);

    /// <summary>Advances every clock by <paramref name="by"/>; each live silo polls records of event time now - 1 s and reports.</summary>
    private void Run(TimeSpan by, FakeTimeProvider siloClock, PartitionProgressRegistry silo, params int[] partitions)
    {
        var step = TimeSpan.FromMilliseconds(250);
        for (var elapsed = TimeSpan.Zero; elapsed < by; elapsed += step)
        {
            _grainClock.Advance(step);
            siloClock.Advance(step);
            var polledAt = siloClock.GetUtcNow().UtcDateTime;
            foreach (var p in partitions) silo.OnPolled(p, Now.AddSeconds(-1), polledAt);
            Report(silo);
        }
    }

    [Fact]
    public void DeadSilosPartitions_HoldTheWatermark_PastTheIdleTimeout_UntilTheNewOwnerReadsThem()
    {
        var clockA = new FakeTimeProvider(_grainClock.GetUtcNow());
        var clockB = new FakeTimeProvider(_grainClock.GetUtcNow());
        var siloA = new PartitionProgressRegistry(clockA);
        var siloB = new PartitionProgressRegistry(clockB);
        Run(TimeSpan.FromSeconds(2), clockB, siloB, 2, 3);
        var deathAt = Now;
        var lastPositionOfB = deathAt.AddSeconds(-1) - Lateness;

        // Silo B dies; A keeps reading its own partitions for longer than the idle timeout (failure detection).
        Run(TimeSpan.FromSeconds(12), clockA, siloA, 0, 1);
        var whileUnread = _table.Watermark(Now, Policy);
        // A takes over partition 2 and 3: librdkafka's first polls come back empty, then the replay starts.
        siloA.OnPolled(2, null, clockA.GetUtcNow().UtcDateTime);
        siloA.OnPolled(3, null, clockA.GetUtcNow().UtcDateTime);
        Run(TimeSpan.FromSeconds(1), clockA, siloA, 0, 1);
        var afterEmptyPolls = _table.Watermark(Now, Policy);
        Run(TimeSpan.FromSeconds(1), clockA, siloA, 0, 1, 2, 3);
        var afterReplay = _table.Watermark(Now, Policy);

        Assert.Equal(lastPositionOfB, whileUnread);
        Assert.Equal(lastPositionOfB, afterEmptyPolls);
        Assert.Equal(Now.AddSeconds(-1) - Lateness, afterReplay);
    }

    [Fact]
    public void ReportedPartitionWithoutRecords_StopsHolding_AfterTheIdleTimeout()
    {
        var clock = new FakeTimeProvider(_grainClock.GetUtcNow());
        var silo = new PartitionProgressRegistry(clock);
        Run(TimeSpan.FromSeconds(1), clock, silo, 0, 1);
        var idleSince = Now;

        // Partition 1 is read and reported, but brings no records.
        for (var i = 0; i < 24; i++)
        {
            Run(TimeSpan.FromMilliseconds(250), clock, silo, 0);
            silo.OnPolled(1, null, clock.GetUtcNow().UtcDateTime);
            Report(silo);
        }

        Assert.True(Now - idleSince > Options.IdlePartitionTimeout);
        Assert.Equal(Now.AddSeconds(-1) - Lateness, _table.Watermark(Now, Policy));
    }

    [Fact]
    public void ReporterClockSkew_DoesNotMakeALivePartitionLookUnreported()
    {
        // The silo's clock is an hour behind the grain's; its partition 1 is idle, partition 0 busy.
        var skewed = new FakeTimeProvider(_grainClock.GetUtcNow().AddHours(-1));
        var silo = new PartitionProgressRegistry(skewed);
        silo.OnPolled(1, Now.AddMinutes(-3), skewed.GetUtcNow().UtcDateTime);
        skewed.Advance(TimeSpan.FromSeconds(40));
        _grainClock.Advance(TimeSpan.FromSeconds(40));
        silo.OnPolled(0, Now.AddSeconds(-1), skewed.GetUtcNow().UtcDateTime);
        silo.OnPolled(1, null, skewed.GetUtcNow().UtcDateTime);

        Report(silo);

        Assert.Equal(Now.AddSeconds(-1) - Lateness, _table.Watermark(Now, Policy));
    }

    [Fact]
    public void PartitionNobodyReportsAgain_IsForgottenAfterTheHold_AndKeepsItsPositionIfItReturns()
    {
        var clock = new FakeTimeProvider(_grainClock.GetUtcNow());
        var silo = new PartitionProgressRegistry(clock);
        Run(TimeSpan.FromSeconds(1), clock, silo, 0, 7);
        var positionOf7 = Now.AddSeconds(-1) - Lateness;
        silo.Remove(7);

        Run(Options.UnreportedPartitionHold, clock, silo, 0);
        var held = _table.Watermark(Now, Policy);
        Run(TimeSpan.FromSeconds(1), clock, silo, 0);
        var forgotten = _table.Watermark(Now, Policy);
        // Read again (by a silo whose first poll is empty): its old newest event time comes back with it.
        silo.OnPolled(7, null, clock.GetUtcNow().UtcDateTime);
        Report(silo);

        Assert.Equal(positionOf7, held);
        Assert.Equal(Now.AddSeconds(-1) - Lateness, forgotten);
        Assert.Equal(positionOf7, _table.Watermark(Now, Policy));
    }

    [Fact]
    public void HeldWatermark_DoesNotKeepAWindowOpen_PastTheWallClockDeadline()
    {
        var options = new PipelineOptions { AllowedLateness = Lateness, WallClockGrace = TimeSpan.FromSeconds(2) };
        var windows = NewWindows(options);
        windows.Apply([View(Minute(0).AddSeconds(59), 0)], watermark: null, now: Minute(0).AddSeconds(59));
        // A dead silo's partition holds the watermark 10 s behind the window's end, for as long as nobody reads it.
        var held = Minute(1).AddSeconds(-10);

        var beforeDeadline = windows.CloseDue(held, Minute(1) + options.FinalAfterEnd - TimeSpan.FromTicks(1));
        var replayedInTime = windows.Apply([View(Minute(0).AddSeconds(59), 1, partition: 1)], held, Minute(1).AddSeconds(11));
        var atDeadline = windows.CloseDue(held, Minute(1) + options.FinalAfterEnd);

        Assert.Equal((0, 1, 0, 1), (beforeDeadline, replayedInTime.Applied, replayedInTime.Late, atDeadline));
        Assert.Equal(2, windows.State.Recent.Single().Views);
    }
}
