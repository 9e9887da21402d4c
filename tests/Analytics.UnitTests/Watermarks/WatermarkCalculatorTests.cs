using Analytics.Contracts.Watermarks;
using Analytics.Grains.Watermarks;
using Xunit;

namespace Analytics.UnitTests.Watermarks;

/// <summary>
/// The pipeline watermark: minimum over the partitions that hold it; a reported partition without records is idle,
/// an unreported one holds until the hold expires; none holding means the maximum.
/// </summary>
public sealed class WatermarkCalculatorTests
{
    private static readonly DateTime Now = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(5);
    private static readonly WatermarkPolicy Policy = new(Lateness, IdleTimeout, ReportTimeout, Hold);

    private static PartitionProgress Active(int partition, DateTime? maxEventTime, TimeSpan? lastRecordAgo = null, TimeSpan? reportedAgo = null) => new()
    {
        Partition = partition,
        MaxEventTime = maxEventTime,
        LastRecordAt = Now - (lastRecordAgo ?? TimeSpan.FromSeconds(1)),
        ReportedAt = Now - (reportedAgo ?? TimeSpan.Zero),
    };

    private static DateTime? Compute(params PartitionProgress[] partitions) => WatermarkCalculator.Compute(partitions, Now, Policy);

    [Fact]
    public void NoPartitions_GiveNoWatermark()
    {
        Assert.Null(Compute());
    }

    [Fact]
    public void PartitionsThatSawNoEvent_GiveNoWatermark()
    {
        Assert.Null(Compute(Active(0, null), Active(1, null) with { LastRecordAt = null }));
    }

    [Fact]
    public void OnePartition_GivesItsNewestEventTimeMinusTheAllowedLateness()
    {
        Assert.Equal(Now.AddSeconds(-15), Compute(Active(0, Now.AddSeconds(-5))));
    }

    [Fact]
    public void ActivePartitions_GiveTheMinimumOfTheirWatermarks()
    {
        var watermark = Compute(Active(0, Now.AddSeconds(-2)), Active(1, Now.AddSeconds(-20)), Active(2, Now.AddSeconds(-7)));

        Assert.Equal(Now.AddSeconds(-30), watermark);
    }

    [Fact]
    public void PartitionWithoutEvents_DoesNotHoldTheOthersBack()
    {
        Assert.Equal(Now.AddSeconds(-12), Compute(Active(0, Now.AddSeconds(-2)), Active(1, null)));
    }

    [Fact]
    public void PartitionWithNoRecordForLongerThanTheIdleTimeout_DoesNotHoldTheOthersBack()
    {
        var watermark = Compute(Active(0, Now.AddSeconds(-2)), Active(1, Now.AddMinutes(-5), lastRecordAgo: IdleTimeout + TimeSpan.FromTicks(1)));

        Assert.Equal(Now.AddSeconds(-12), watermark);
    }

    [Fact]
    public void PartitionWithARecordExactlyAtTheIdleTimeout_StillHoldsTheOthersBack()
    {
        var watermark = Compute(Active(0, Now.AddSeconds(-2)), Active(1, Now.AddMinutes(-5), lastRecordAgo: IdleTimeout));

        Assert.Equal(Now.AddMinutes(-5) - Lateness, watermark);
    }

    [Fact]
    public void UnreportedPartition_HoldsTheWatermarkAtItsLastPosition_LongAfterTheIdleTimeout()
    {
        // Its silo died 2 minutes ago while it was busy; nobody has taken it over yet.
        var orphaned = Active(1, Now.AddMinutes(-2), lastRecordAgo: TimeSpan.FromMinutes(2), reportedAgo: TimeSpan.FromMinutes(2));

        Assert.Equal(Now.AddMinutes(-2) - Lateness, Compute(Active(0, Now.AddSeconds(-2)), orphaned));
    }

    [Fact]
    public void ReportedPartitionWithoutRecords_IsIdle_ButTheSameProgressUnreported_Holds()
    {
        var reportedIdle = Active(1, Now.AddMinutes(-2), lastRecordAgo: TimeSpan.FromMinutes(2));
        var unreported = reportedIdle with { ReportedAt = Now - ReportTimeout - TimeSpan.FromTicks(1) };

        Assert.Equal(Now.AddSeconds(-12), Compute(Active(0, Now.AddSeconds(-2)), reportedIdle));
        Assert.Equal(Now.AddMinutes(-2) - Lateness, Compute(Active(0, Now.AddSeconds(-2)), unreported));
    }

    [Fact]
    public void PartitionReportedWithinTheReportTimeout_CountsAsReported()
    {
        var lateReport = Active(1, Now.AddMinutes(-2), lastRecordAgo: TimeSpan.FromMinutes(2), reportedAgo: ReportTimeout);

        Assert.Equal(Now.AddSeconds(-12), Compute(Active(0, Now.AddSeconds(-2)), lateReport));
    }

    [Fact]
    public void UnreportedPartition_IsForgotten_AfterTheHold()
    {
        var held = Active(1, Now.AddMinutes(-6), reportedAgo: Hold);
        var forgotten = Active(1, Now.AddMinutes(-6), reportedAgo: Hold + TimeSpan.FromTicks(1));

        Assert.Equal(Now.AddMinutes(-6) - Lateness, Compute(Active(0, Now.AddSeconds(-2)), held));
        Assert.Equal(Now.AddSeconds(-12), Compute(Active(0, Now.AddSeconds(-2)), forgotten));
    }

    [Fact]
    public void OnlyForgottenPartitions_GiveTheNewestPositionSeen()
    {
        var watermark = Compute(
            Active(0, Now.AddMinutes(-9), reportedAgo: TimeSpan.FromMinutes(9)),
            Active(1, Now.AddMinutes(-8), reportedAgo: TimeSpan.FromMinutes(8)));

        Assert.Equal(Now.AddMinutes(-8) - Lateness, watermark);
    }

    [Fact]
    public void PartitionThatNeverPolledARecord_IsIdle()
    {
        var neverPolled = Active(1, Now.AddMinutes(-5)) with { LastRecordAt = null };

        Assert.Equal(Now.AddSeconds(-12), Compute(Active(0, Now.AddSeconds(-2)), neverPolled));
    }

    [Fact]
    public void AllPartitionsIdle_GiveTheMaximumWatermark()
    {
        var watermark = Compute(
            Active(0, Now.AddMinutes(-3), lastRecordAgo: TimeSpan.FromMinutes(1)),
            Active(1, Now.AddMinutes(-1), lastRecordAgo: TimeSpan.FromMinutes(1)),
            Active(2, Now.AddMinutes(-2), lastRecordAgo: TimeSpan.FromMinutes(1)));

        Assert.Equal(Now.AddMinutes(-1) - Lateness, watermark);
    }

    [Fact]
    public void IdlePartitionAheadOfTheActiveOnes_DoesNotPullTheWatermarkForward()
    {
        var watermark = Compute(Active(0, Now.AddMinutes(-2)), Active(1, Now, lastRecordAgo: TimeSpan.FromMinutes(1)));

        Assert.Equal(Now.AddMinutes(-2) - Lateness, watermark);
    }

    [Fact]
    public void ZeroAllowedLateness_GivesTheNewestEventTimeItself()
    {
        var watermark = WatermarkCalculator.Compute([Active(0, Now.AddSeconds(-3))], Now, Policy with { AllowedLateness = TimeSpan.Zero });

        Assert.Equal(Now.AddSeconds(-3), watermark);
    }

    [Fact]
    public void Watermark_IsUtc()
    {
        Assert.Equal(DateTimeKind.Utc, Compute(Active(0, Now))!.Value.Kind);
    }

    /// <summary>
    /// BUG (WatermarkCalculator.cs line 20, <c>maxEventTime - allowedLateness</c>): the parser accepts any ISO-8601
    /// timestamp, e.g. "0001-01-01T00:00:00Z"; when that is the newest event time of a partition (its first record),
    /// the subtraction throws ArgumentOutOfRangeException, so WatermarkGrain.GetWatermarkAsync fails for every silo
    /// until the partition sees a newer event. Expected: the watermark is clamped (DateTime.MinValue).
    /// </summary>
    [Fact]
    public void EventTimeNearDateTimeMinValue_DoesNotBreakTheWatermark()
    {
        var ancient = DateTime.SpecifyKind(DateTime.MinValue.AddSeconds(5), DateTimeKind.Utc);

        var watermark = Compute(Active(0, ancient));

        Assert.Equal(DateTime.MinValue, watermark);
    }
}
