using Analytics.Grains;
using Xunit;

namespace Analytics.UnitTests.Windows;

/// <summary>Start-up validation of the windowing options: defaults pass, each bad value is named.</summary>
public sealed class PipelineOptionsValidatorTests
{
    private static readonly PipelineOptionsValidator Validator = new();

    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(Validator.Validate(null, new PipelineOptions()).Succeeded);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var o = new PipelineOptions();

        Assert.Equal(TimeSpan.FromSeconds(10), o.AllowedLateness);
        Assert.Equal(TimeSpan.FromSeconds(30), o.IdlePartitionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), o.WallClockGrace);
        Assert.Equal(TimeSpan.FromSeconds(1), o.FlushInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), o.FlushAckTimeout);
        Assert.Equal(10, o.RecentWindows);
        Assert.Equal(15, o.MaxOpenWindows);
        Assert.Equal(10_000, o.MaxPendingLateEvents);
        Assert.Equal(TimeSpan.FromMinutes(10), o.MaxFutureSkew);
        Assert.Equal(TimeSpan.FromMinutes(5), o.UnreportedPartitionHold);
        Assert.Equal(TimeSpan.FromSeconds(1), o.PartitionReportTimeout);
    }

    [Fact]
    public void UnreportedPartitionHold_IsNeverShorterThanAWindowsWallClockDeadline()
    {
        var o = new PipelineOptions { AllowedLateness = TimeSpan.FromMinutes(10), UnreportedPartitionHold = TimeSpan.FromSeconds(10) };

        Assert.True(Validator.Validate(null, o).Succeeded);
        Assert.Equal(TimeSpan.FromMinutes(10) + o.WallClockGrace + o.FlushInterval, o.EffectiveUnreportedPartitionHold);
        Assert.Equal(TimeSpan.FromMinutes(5), new PipelineOptions().EffectiveUnreportedPartitionHold);
    }

    [Fact]
    public void PartitionReportTimeout_IsFourRefreshIntervals_AtLeastOneSecond()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), new PipelineOptions { WatermarkRefreshInterval = TimeSpan.FromMilliseconds(10) }.PartitionReportTimeout);
        Assert.Equal(TimeSpan.FromSeconds(8), new PipelineOptions { WatermarkRefreshInterval = TimeSpan.FromSeconds(2) }.PartitionReportTimeout);
    }

    public static TheoryData<string, Action<PipelineOptions>> InvalidSettings => new()
    {
        { "Pipeline:AllowedLateness", o => o.AllowedLateness = TimeSpan.FromSeconds(-1) },
        { "Pipeline:AllowedLateness", o => o.AllowedLateness = TimeSpan.FromMinutes(10) + TimeSpan.FromTicks(1) },
        { "Pipeline:IdlePartitionTimeout", o => o.IdlePartitionTimeout = TimeSpan.Zero },
        { "Pipeline:WallClockGrace", o => o.WallClockGrace = TimeSpan.FromTicks(-1) },
        { "Pipeline:FlushInterval", o => o.FlushInterval = TimeSpan.FromMilliseconds(49) },
        { "Pipeline:FlushShards", o => o.FlushShards = 0 },
        { "Pipeline:FlushAckTimeout", o => o.FlushAckTimeout = o.FlushInterval },
        { "Pipeline:RecentWindows", o => o.RecentWindows = -1 },
        { "Pipeline:MaxOpenWindows", o => o.MaxOpenWindows = 1 },
        { "Pipeline:MaxOpenWindows", o => o.MaxOpenWindows = 121 },
        { "Pipeline:MaxPendingLateEvents", o => o.MaxPendingLateEvents = -1 },
        { "Pipeline:MaxFutureSkew", o => o.MaxFutureSkew = TimeSpan.Zero },
        { "Pipeline:WatermarkRefreshInterval", o => o.WatermarkRefreshInterval = TimeSpan.FromSeconds(11) },
        { "Pipeline:UnreportedPartitionHold", o => o.UnreportedPartitionHold = TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1) },
        { "Pipeline:UnreportedPartitionHold", o => o.UnreportedPartitionHold = TimeSpan.FromHours(1) + TimeSpan.FromTicks(1) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void InvalidSetting_FailsWithAMessageNamingIt(string name, Action<PipelineOptions> spoil)
    {
        var options = new PipelineOptions();
        spoil(options);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(name + " must", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void BoundaryValues_AreValid()
    {
        var options = new PipelineOptions
        {
            AllowedLateness = TimeSpan.Zero,
            WallClockGrace = TimeSpan.Zero,
            FlushInterval = TimeSpan.FromMilliseconds(50),
            FlushAckTimeout = TimeSpan.FromMilliseconds(51),
            RecentWindows = 0,
            MaxOpenWindows = 2,
            MaxPendingLateEvents = 0,
        };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }
}
